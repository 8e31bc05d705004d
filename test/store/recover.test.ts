import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { splitContent } from '../../src/event/content.js';
import { newEventId, newSpanId, newTraceId } from '../../src/event/ids.js';
import type { AuditEvent } from '../../src/event/types.js';
import {
  INTERRUPTED_ERROR,
  interruptedEvent,
  recoverInterrupted,
} from '../../src/store/recover.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { JournalEntry } from '../../src/store/types.js';
import { EventWriter } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';

const folder = mkdtempSync(join(tmpdir(), 'auditgate-recover-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const storeModule = fileURLToPath(new URL('../../src/store/sqlite/index.ts', import.meta.url));

let fileNumber = 0;
function newStorePath(): string {
  fileNumber += 1;
  return join(folder, `recover-${fileNumber}.db`);
}

function journalEntry(path: string, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    eventId: newEventId(),
    time: new Date().toISOString(),
    method: 'POST',
    path,
    provider: 'openai',
    model: 'gpt-4o-mini',
    keyFingerprint: 'sha256:3f2a9c',
    clientAddress: '10.0.0.8',
    traceId: newTraceId(),
    spanId: newSpanId(),
    parentSpanId: newSpanId(),
    ...overrides,
  };
}

/** Writes journal rows in another process, which is then killed without closing the store. */
function journalThenDie(path: string, entries: JournalEntry[]): void {
  const script = `
    const { openSqliteStore } = await import(${JSON.stringify(storeModule)});
    const store = openSqliteStore(${JSON.stringify(path)});
    for (const entry of ${JSON.stringify(entries)}) await store.journal(entry);
    process.kill(process.pid, 'SIGKILL');
  `;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script],
    { encoding: 'utf8' },
  );
  assert.equal(child.signal, 'SIGKILL', child.stderr);
}

/** Usage of a call that never answered: every count unknown, never 0. */
const MISSING_USAGE = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  reasoningTokens: null,
  source: 'missing',
  raw: null,
} as const;

function expectedInterrupted(entry: JournalEntry, kind: AuditEvent['kind']): Partial<AuditEvent> {
  return {
    id: entry.eventId,
    kind,
    time: entry.time,
    trace: { traceId: entry.traceId, spanId: entry.spanId, parentSpanId: entry.parentSpanId },
    response: null,
    // Nothing came back: an inference call's usage is missing, never 0; other calls have none.
    usage: kind === 'llm.call' ? MISSING_USAGE : null,
    outcome: { status: 'interrupted', error: INTERRUPTED_ERROR },
  };
}

describe('recoverInterrupted', () => {
  test('journal rows left by a killed process become interrupted events', async () => {
    const path = newStorePath();
    const chat = journalEntry('/v1/chat/completions');
    const models = journalEntry('/v1/models', { method: 'GET', model: null });
    const finished = journalEntry('/v1/messages', { provider: 'anthropic' });
    journalThenDie(path, [chat, models, finished]);

    const store = openSqliteStore(path);
    const answered = makeEvent({ id: finished.eventId, time: finished.time });
    await store.append([splitContent(answered)]);

    assert.equal(await recoverInterrupted(store), 2);
    assert.deepEqual(await store.orphanedJournal(), []);
    assert.equal(await recoverInterrupted(store), 0);

    const recoveredChat = await store.getEvent(chat.eventId);
    assert.ok(recoveredChat);
    assert.deepEqual({ ...recoveredChat, ...expectedInterrupted(chat, 'llm.call') }, recoveredChat);
    assert.equal(recoveredChat.identity.keyFingerprint, 'sha256:3f2a9c');
    assert.equal(recoveredChat.identity.clientAddress, '10.0.0.8');
    assert.equal(recoveredChat.identity.userId, null);
    assert.deepEqual(recoveredChat.timing, {
      receivedAt: chat.time,
      ttftMs: null,
      latencyMs: null,
      upstreamMs: null,
      overheadMs: null,
    });
    assert.deepEqual(recoveredChat.request, {
      provider: 'openai',
      providerType: null,
      endpoint: 'chat.completions',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      parameters: null,
      stream: false,
      system: null,
      messages: null,
      tools: null,
      retrieval: null,
      previousResponseId: null,
      deployment: null,
      inputCount: null,
      bodySha256: null,
      bodyBytes: 0,
      truncated: false,
      rewrites: [],
    });

    const recoveredModels = await store.getEvent(models.eventId);
    assert.equal(recoveredModels?.kind, 'http.call');
    assert.equal(recoveredModels?.outcome.status, 'interrupted');
    assert.deepStrictEqual(await store.getEvent(finished.eventId), answered);

    const page = await store.listEvents({ outcome: 'interrupted' }, 10, null);
    assert.deepEqual(
      page.events.map((event) => event.id),
      [models.eventId, chat.eventId].sort().reverse(),
    );
    await store.close();
  });

  test('recovered events can go through a writer', async () => {
    const path = newStorePath();
    const store = openSqliteStore(path);
    const entries = Array.from({ length: 3 }, () => journalEntry('/v1/responses'));
    for (const entry of entries) await store.journal(entry);
    const writer = new EventWriter(store);

    assert.equal(await recoverInterrupted(store, writer), 3);
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await store.orphanedJournal(), []);
    for (const entry of entries) {
      assert.equal((await store.getEvent(entry.eventId))?.request?.endpoint, 'responses');
    }
    await writer.close();
    await store.close();
  });

  test('the path decides the kind, the endpoint and whether the API streams', () => {
    const cases: Array<[string, AuditEvent['kind'], string, boolean]> = [
      ['/v1/chat/completions', 'llm.call', 'chat.completions', false],
      [
        '/openai/deployments/gpt4/chat/completions?api-version=2024-10-21',
        'llm.call',
        'chat.completions',
        false,
      ],
      ['/v1/responses', 'llm.call', 'responses', false],
      ['/v1/embeddings', 'llm.call', 'embeddings', false],
      ['/v1/messages', 'llm.call', 'messages', false],
      ['/v1beta/models/gemini-2.5-flash:generateContent', 'llm.call', 'generate_content', false],
      [
        '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
        'llm.call',
        'generate_content',
        true,
      ],
      ['/model/anthropic.claude-v2/converse', 'llm.call', 'converse', false],
      ['/model/anthropic.claude-v2/converse-stream', 'llm.call', 'converse', true],
      ['/v1/models', 'http.call', 'other', false],
      ['/v1/messages/count_tokens', 'http.call', 'other', false],
      ['/v1/files?purpose=chat/completions', 'http.call', 'other', false],
    ];
    for (const [path, kind, endpoint, stream] of cases) {
      const event = interruptedEvent(journalEntry(path, { provider: null }));
      assert.equal(event.kind, kind, path);
      assert.equal(event.request?.endpoint, endpoint, path);
      assert.equal(event.request?.stream, stream, path);
      assert.equal(event.request?.provider, '', path);
    }
  });
});
