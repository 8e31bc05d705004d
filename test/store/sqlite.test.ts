import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { splitContent } from '../../src/event/content.js';
import type { AuditEvent } from '../../src/event/types.js';
import { InvalidCursorError } from '../../src/store/cursor.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { migrate, migrations, SchemaTooNewError } from '../../src/store/sqlite/migrations.js';
import type { EventFilter, JournalEntry } from '../../src/store/types.js';
import { makeEvent, OUTPUT_TEXT, PROMPT_TEXT, SYSTEM_TEXT } from '../helpers/events.js';

const folder = mkdtempSync(join(tmpdir(), 'auditgate-sqlite-'));
after(() => rmSync(folder, { recursive: true, force: true }));

let fileNumber = 0;
function newStorePath(): string {
  fileNumber += 1;
  return join(folder, `store-${fileNumber}`, 'auditgate.db');
}

/** Appends events the way the writer does: envelope and content apart. */
async function appendEvents(store: SqliteStore, events: AuditEvent[]): Promise<void> {
  await store.append(events.map((event) => splitContent(event)));
}

async function listAll(store: SqliteStore, filter: EventFilter): Promise<string[]> {
  const page = await store.listEvents(filter, 1000, null);
  return page.events.map((event) => event.id);
}

function journalEntry(overrides: Partial<JournalEntry> = {}): JournalEntry {
  const event = makeEvent();
  return {
    eventId: event.id,
    time: event.time,
    method: 'POST',
    path: '/v1/chat/completions',
    provider: 'openai',
    model: 'gpt-4o-mini',
    keyFingerprint: 'sha256:3f2a9c',
    clientAddress: '127.0.0.1',
    traceId: event.trace.traceId,
    spanId: event.trace.spanId,
    parentSpanId: null,
    ...overrides,
  };
}

describe('schema', () => {
  test('migrations run once; reopening the file keeps the events and runs nothing', async () => {
    const path = newStorePath();
    const event = makeEvent();
    const first = openSqliteStore(path);
    await appendEvents(first, [event]);
    await first.close();

    const second = openSqliteStore(path);
    assert.deepEqual(await second.getEvent(event.id), event);
    await second.close();

    const raw = new Database(path);
    const applied = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    assert.deepEqual(
      applied,
      migrations.map((migration) => ({ version: migration.version })),
    );
    assert.deepEqual(migrate(raw), []);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
  });

  test('a database written by a newer schema is refused with both versions named', async () => {
    const path = newStorePath();
    await openSqliteStore(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')").run();
    raw.close();

    assert.throws(() => openSqliteStore(path), SchemaTooNewError);
    assert.throws(
      () => openSqliteStore(path),
      /schema version is 999, this auditgate knows up to 4/,
    );
  });
});

describe('append and getEvent', () => {
  test('an event comes back exactly as it went in', async () => {
    const store = openSqliteStore(newStorePath());
    const event = makeEvent({
      response: {
        toolCalls: [{ id: 'call_1', name: 'lookup_city', arguments: { name: 'Paris' } }],
      },
      attempts: [
        {
          number: 1,
          provider: 'openai',
          model: 'gpt-4o',
          httpStatus: 429,
          error: 'rate limited',
          latencyMs: 12,
        },
      ],
    });
    await appendEvents(store, [event]);

    assert.deepStrictEqual(await store.getEvent(event.id), event);
    assert.equal(await store.getEvent('0190a000-0000-7000-8000-000000000000'), null);
    await store.close();
  });

  test('prompt and output text live in event_content, never in the envelope row', async () => {
    const path = newStorePath();
    const store = openSqliteStore(path);
    const event = makeEvent();
    await appendEvents(store, [event]);

    const raw = new Database(path, { readonly: true });
    const row = raw.prepare('SELECT * FROM events WHERE id = ?').get(event.id) as Record<
      string,
      unknown
    >;
    const content = raw
      .prepare('SELECT content FROM event_content WHERE event_id = ?')
      .pluck()
      .get(event.id) as string;
    raw.close();

    const envelopeText = String(row.envelope);
    for (const text of [PROMPT_TEXT, SYSTEM_TEXT, OUTPUT_TEXT, 'lookup_city']) {
      assert.ok(!envelopeText.includes(text), `envelope holds ${text}`);
      assert.ok(content.includes(text), `content lacks ${text}`);
    }
    assert.equal(JSON.parse(envelopeText).request.bodyBytes, 412);
    assert.equal(row.user_id, 'user-ada');
    assert.equal(row.model, 'gpt-4o-mini');
    await store.close();
  });

  test('an event without content has no content row and reads back with null content', async () => {
    const path = newStorePath();
    const store = openSqliteStore(path);
    const event = makeEvent({ kind: 'decision', request: null, response: null, usage: null });
    await store.append([{ envelope: event, content: null }]);

    assert.deepStrictEqual(await store.getEvent(event.id), event);
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.prepare('SELECT COUNT(*) FROM event_content').pluck().get(), 0);
    raw.close();
    await store.close();
  });

  test('text with U+0000, lone surrogates and any Unicode survives exactly', async () => {
    const store = openSqliteStore(newStorePath());
    const strange = [
      'nul \u0000 inside',
      'lone high \uD800 surrogate',
      'lone low \uDFFF surrogate',
      'reversed pair \uDC00\uD800',
      'ends high \uDBFF',
      'emoji 👩🏽‍💻 and flags 🇫🇷',
      'right-to-left مرحبا עולם',
      'separators \u2028 \u2029 and \uFEFF bom and \uFFFF',
      'controls \u0001\u001F\u007F\t\r\n',
      '"quotes" \\backslash\\ </script>',
    ];
    const event = makeEvent({
      identity: { userId: 'user \u0000 \uD800' },
      request: {
        system: strange.join(' | '),
        messages: strange.map((text) => ({
          role: 'user',
          parts: [{ type: 'text', content: text }],
        })),
      },
      response: { refusal: '\uD800\u0000\uDFFF', error: { message: 'bad \uDC00 byte' } },
    });
    await appendEvents(store, [event]);

    const stored = await store.getEvent(event.id);
    assert.deepStrictEqual(stored, event);
    assert.equal(stored?.request?.system, strange.join(' | '));
    await store.close();
  });

  test('a repeated id is ignored: within a batch, and when a batch is appended again', async () => {
    const path = newStorePath();
    const store = openSqliteStore(path);
    const original = makeEvent();
    const impostor = makeEvent({ id: original.id, request: { system: 'a different prompt' } });
    const other = makeEvent();

    await appendEvents(store, [original, impostor, other]);
    await appendEvents(store, [original, impostor, other]);

    assert.deepStrictEqual(await store.getEvent(original.id), original);
    assert.deepEqual(await listAll(store, {}), [other.id, original.id]);
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.prepare('SELECT COUNT(*) FROM event_content').pluck().get(), 2);
    raw.close();
    await store.close();
  });

  test('an empty batch is accepted', async () => {
    const store = openSqliteStore(newStorePath());
    await store.append([]);
    assert.deepEqual(await listAll(store, {}), []);
    await store.close();
  });
});

describe('journal', () => {
  test('a journal row is orphaned until its event is appended, which clears it', async () => {
    const path = newStorePath();
    const store = openSqliteStore(path);
    const waiting = journalEntry({ parentSpanId: 'aaaaaaaaaaaaaaaa', model: null });
    const finished = journalEntry();
    await store.journal(waiting);
    await store.journal(finished);
    await store.journal(finished);

    const orphans = await store.orphanedJournal();
    assert.deepEqual(
      orphans,
      [waiting, finished].sort((left, right) => left.eventId.localeCompare(right.eventId)),
    );

    await appendEvents(store, [makeEvent({ id: finished.eventId })]);
    assert.deepEqual(await store.orphanedJournal(), [waiting]);
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.prepare('SELECT COUNT(*) FROM journal').pluck().get(), 1);
    raw.close();
    await store.close();
  });
});

describe('listEvents', () => {
  test('each filter matches exactly, and filters combine', async () => {
    const store = openSqliteStore(newStorePath());
    const ada = makeEvent();
    const bob = makeEvent({
      identity: {
        userId: 'user-bob',
        sessionId: 'session-2',
        agentId: 'agent-7',
        appId: 'app-beacon',
        teamId: 'team-ops',
      },
      attribution: {
        userId: 'user-bob',
        agentId: 'agent-7',
        appId: 'app-beacon',
        teamId: 'team-ops',
      },
      request: { provider: 'anthropic', model: 'claude-sonnet-4-5', path: '/v1/messages' },
      outcome: { status: 'upstream_error', error: 'overloaded' },
    });
    const tool = makeEvent({
      kind: 'tool.call',
      trace: { traceId: ada.trace.traceId },
      identity: { userId: null, sessionId: null, appId: null, teamId: null, agentId: 'agent-7' },
      attribution: { userId: 'user-bob', appId: null, teamId: null, agentId: null },
      request: null,
      response: null,
      usage: null,
    });
    const answeredModel = makeEvent({
      request: { model: null },
      response: { model: 'gpt-4o-2024-08-06' },
    });
    await appendEvents(store, [ada, bob, tool, answeredModel]);

    const expectations: Array<[EventFilter, AuditEvent[]]> = [
      [{}, [answeredModel, tool, bob, ada]],
      [{ user: 'user-ada' }, [answeredModel, ada]],
      // With no verified or asserted user, the attributed user counts.
      [{ user: 'user-bob' }, [tool, bob]],
      [{ session: 'session-2' }, [bob]],
      [{ trace: ada.trace.traceId }, [tool, ada]],
      [{ agent: 'agent-7' }, [tool, bob]],
      [{ app: 'app-beacon' }, [bob]],
      [{ team: 'team-geo' }, [answeredModel, ada]],
      [{ provider: 'anthropic' }, [bob]],
      [{ provider: 'openai' }, [answeredModel, ada]],
      [{ model: 'gpt-4o-mini' }, [ada]],
      [{ model: 'gpt-4o-2024-08-06' }, [answeredModel]],
      [{ model: 'gpt-4o' }, []],
      [{ kind: 'tool.call' }, [tool]],
      [{ kind: 'llm.call' }, [answeredModel, bob, ada]],
      [{ outcome: 'upstream_error' }, [bob]],
      [{ outcome: 'ok' }, [answeredModel, tool, ada]],
      [{ user: 'user-bob', kind: 'llm.call' }, [bob]],
      [{ user: 'user-ada', team: 'team-ops' }, []],
    ];
    for (const [filter, expected] of expectations) {
      const page = await store.listEvents(filter, 100, null);
      assert.deepEqual(
        page.events.map((event) => event.id),
        expected.map((event) => event.id),
        `filter ${JSON.stringify(filter)}`,
      );
      assert.equal(page.nextCursor, null);
    }
    assert.deepStrictEqual((await store.listEvents({ session: 'session-2' }, 10, null)).events, [
      bob,
    ]);
    await store.close();
  });

  test('25 events at limit 10 page as 10, 10, 5, newest first, without repeats', async () => {
    const store = openSqliteStore(newStorePath());
    const start = Date.parse('2025-03-01T12:00:00.000Z');
    const events = Array.from({ length: 25 }, (_, index) =>
      makeEvent({ time: new Date(start + index * 1000).toISOString() }),
    );
    await appendEvents(store, [...events].reverse());

    const pageSizes: number[] = [];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listEvents({}, 10, cursor);
      pageSizes.push(page.events.length);
      seen.push(...page.events.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor !== null);

    assert.deepEqual(pageSizes, [10, 10, 5]);
    assert.deepEqual(seen, events.map((event) => event.id).reverse());
    assert.equal(new Set(seen).size, 25);
    await store.close();
  });

  test('a page that ends exactly at the last event has no next cursor', async () => {
    const store = openSqliteStore(newStorePath());
    await appendEvents(store, [makeEvent(), makeEvent()]);
    const first = await store.listEvents({}, 1, null);
    assert.notEqual(first.nextCursor, null);
    const second = await store.listEvents({}, 1, first.nextCursor);
    assert.equal(second.events.length, 1);
    assert.equal(second.nextCursor, null);
    await store.close();
  });

  test('from is inclusive and to exclusive, whatever offset they are written with', async () => {
    const store = openSqliteStore(newStorePath());
    const times = [
      '2025-01-01T09:59:59.999Z',
      '2025-01-01T10:00:00.000Z',
      '2025-01-01T10:30:00.000Z',
      '2025-01-01T11:00:00.000Z',
    ];
    const [before, atFrom, inside, atTo] = times.map((time) => makeEvent({ time }));
    assert.ok(before && atFrom && inside && atTo);
    await appendEvents(store, [before, atFrom, inside, atTo]);

    const window = { from: '2025-01-01T10:00:00.000Z', to: '2025-01-01T11:00:00.000Z' };
    assert.deepEqual(await listAll(store, window), [inside.id, atFrom.id]);
    assert.deepEqual(
      await listAll(store, { from: '2025-01-01T12:00:00+02:00', to: '2025-01-01T13:00:00+02:00' }),
      [inside.id, atFrom.id],
    );
    assert.deepEqual(await listAll(store, { from: '2025-01-01T10:30:00Z' }), [atTo.id, inside.id]);
    assert.deepEqual(await listAll(store, { to: '2025-01-01T10:00:00Z' }), [before.id]);
    await assert.rejects(
      store.listEvents({ from: 'yesterday' }, 10, null),
      /from must be an ISO 8601 time/,
    );
    await store.close();
  });

  test('limit is clamped to 1..1000', async () => {
    const store = openSqliteStore(newStorePath());
    const events = Array.from({ length: 1005 }, () => makeEvent());
    await appendEvents(store, events);

    assert.equal((await store.listEvents({}, 0, null)).events.length, 1);
    assert.equal((await store.listEvents({}, -5, null)).events.length, 1);
    const largest = await store.listEvents({}, 5000, null);
    assert.equal(largest.events.length, 1000);
    assert.notEqual(largest.nextCursor, null);
    assert.equal((await store.listEvents({}, 1000, largest.nextCursor)).events.length, 5);
    await store.close();
  });

  test('a cursor the store did not issue is refused', async () => {
    const store = openSqliteStore(newStorePath());
    await appendEvents(store, [makeEvent(), makeEvent()]);
    const { nextCursor } = await store.listEvents({}, 1, null);
    assert.ok(nextCursor);
    assert.doesNotMatch(nextCursor, /-/);

    for (const cursor of ['', 'not a cursor!', `${nextCursor}=`, nextCursor.slice(0, -1) + '*']) {
      await assert.rejects(store.listEvents({}, 10, cursor), InvalidCursorError);
    }
    await store.close();
  });
});

describe('lifecycle', () => {
  test('ping answers while open, and close may be called twice', async () => {
    const store = openSqliteStore(newStorePath());
    assert.equal(await store.ping(), true);
    await store.close();
    await store.close();
    assert.equal(await store.ping(), false);
  });
});
