import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { AuditEvent } from '../../src/event/types.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import type { EventRecord, Store } from '../../src/store/types.js';
import { EventWriter, WriterClosedError } from '../../src/store/writer.js';
import { asStored, makeEvent } from '../helpers/events.js';

const folder = mkdtempSync(join(tmpdir(), 'auditgate-writer-'));
after(() => rmSync(folder, { recursive: true, force: true }));

let fileNumber = 0;
function openStore(): SqliteStore {
  fileNumber += 1;
  return openSqliteStore(join(folder, `writer-${fileNumber}.db`));
}

/**
 * A store that records the size of every append before handing it to the real one. `failures`
 * makes that many appends fail first; `failAfterWriting` fails them after the real write
 * committed, as a lost acknowledgement would.
 */
function observedStore(inner: Store, failures = 0, failAfterWriting = false) {
  const appends: number[] = [];
  let failuresLeft = failures;
  const store: Store = {
    // Methods this test does not observe go straight to the real store.
    ...inner,
    journal: (entry) => inner.journal(entry),
    async append(records: EventRecord[]) {
      appends.push(records.length);
      if (failuresLeft > 0 && !failAfterWriting) {
        failuresLeft -= 1;
        throw new Error('disk is full');
      }
      await inner.append(records);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('connection reset after commit');
      }
    },
    orphanedJournal: () => inner.orphanedJournal(),
    getEvent: (id) => inner.getEvent(id),
    listEvents: (filter, limit, cursor) => inner.listEvents(filter, limit, cursor),
    spend: (query) => inner.spend(query),
    traceSpend: (traceId) => inner.traceSpend(traceId),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { store, appends };
}

async function storedIds(store: Store): Promise<string[]> {
  const page = await store.listEvents({}, 1000, null);
  return page.events.map((event) => event.id).sort();
}

function idsOf(events: AuditEvent[]): string[] {
  return events.map((event) => event.id).sort();
}

describe('EventWriter', () => {
  test('record returns at once; 100 events are written in far fewer appends', async () => {
    const real = openStore();
    const { store, appends } = observedStore(real);
    const writer = new EventWriter(store);
    const events = Array.from({ length: 100 }, () => makeEvent());

    for (const event of events) writer.record(event);
    assert.deepEqual(appends, []);
    assert.equal(writer.backlog, 100);

    await writer.flush();
    assert.ok(appends.length <= 2, `${appends.length} appends`);
    assert.equal(
      appends.reduce((sum, size) => sum + size, 0),
      100,
    );
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await storedIds(real), idsOf(events));
    assert.deepStrictEqual(await real.getEvent(events[42]!.id), asStored(events[42]!));
    await writer.close();
    await real.close();
  });

  test('writes on the next turn without a flush', async () => {
    const real = openStore();
    const writer = new EventWriter(real);
    const event = makeEvent();
    writer.record(event);
    // No flush: the write starts by itself (polled, since masking first takes a while on a
    // loaded machine).
    let stored = null;
    for (let waited = 0; !stored && waited < 2000; waited += 10) {
      await new Promise<void>((resolve) => setTimeout(resolve, 10));
      stored = await real.getEvent(event.id);
    }
    assert.deepStrictEqual(stored, asStored(event));
    await writer.close();
    await real.close();
  });

  test('a queue of 500 is written at once, and no append carries more than 500', async () => {
    const real = openStore();
    const { store, appends } = observedStore(real);
    const writer = new EventWriter(store);
    const events = Array.from({ length: 1200 }, () => makeEvent());

    for (const event of events.slice(0, 500)) writer.record(event);
    // The privacy gate runs before the append, yielding to the event loop as it goes, so the
    // full batch is written on a later turn rather than inside record.
    await writer.flush();
    assert.deepEqual(appends, [500]);

    for (const event of events.slice(500)) writer.record(event);
    await writer.flush();
    assert.deepEqual(appends, [500, 500, 200]);
    const firstPage = await real.listEvents({}, 1000, null);
    const secondPage = await real.listEvents({}, 1000, firstPage.nextCursor);
    assert.deepEqual(
      [...firstPage.events, ...secondPage.events].map((event) => event.id).sort(),
      idsOf(events),
    );
    await writer.close();
    await real.close();
  });

  test('flush waits for what was recorded before it, even events recorded mid-write', async () => {
    const real = openStore();
    const writer = new EventWriter(real);
    await writer.flush();

    const first = makeEvent();
    writer.record(first);
    const firstFlush = writer.flush();
    const second = makeEvent();
    writer.record(second);
    await firstFlush;
    assert.deepStrictEqual(await real.getEvent(first.id), asStored(first));

    await writer.flush();
    assert.deepStrictEqual(await real.getEvent(second.id), asStored(second));
    await writer.close();
    await real.close();
  });

  test('a failed append keeps its batch, reports the error, retries until it lands', async () => {
    const real = openStore();
    const { store, appends } = observedStore(real, 2);
    const errors: unknown[] = [];
    const failedSeen: number[] = [];
    const writer = new EventWriter(store, {
      retryDelayMs: 5,
      onError: (e) => {
        errors.push(e);
        // Reported after the failure is counted: the whole batch waits for its retry.
        failedSeen.push(writer.failed);
      },
    });
    const events = Array.from({ length: 30 }, () => makeEvent());

    for (const event of events) writer.record(event);
    await writer.flush();

    assert.deepEqual(failedSeen, [30, 30]);
    assert.equal(writer.failed, 0);

    assert.deepEqual(appends, [30, 30, 30]);
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['disk is full', 'disk is full'],
    );
    assert.equal(writer.backlog, 0);
    assert.deepEqual(await storedIds(real), idsOf(events));
    await writer.close();
    await real.close();
  });

  test('a batch that committed but reported failure is retried without duplicates', async () => {
    const real = openStore();
    const { store, appends } = observedStore(real, 1, true);
    const errors: unknown[] = [];
    const writer = new EventWriter(store, { retryDelayMs: 1, onError: (e) => errors.push(e) });
    const events = Array.from({ length: 10 }, () => makeEvent());

    for (const event of events) writer.record(event);
    await writer.flush();

    assert.deepEqual(appends, [10, 10]);
    assert.equal(errors.length, 1);
    assert.deepEqual(await storedIds(real), idsOf(events));
    await writer.close();
    await real.close();
  });

  test('events recorded while a retry waits go out with the retried batch', async () => {
    const real = openStore();
    const { store, appends } = observedStore(real, 1);
    const writer = new EventWriter(store, { retryDelayMs: 30 });
    const early = makeEvent();
    const late = makeEvent();

    writer.record(early);
    // The first append fails at once; masking runs before it, so wait for it rather than a
    // fixed few milliseconds (a loaded machine took longer than 5 ms).
    for (let waited = 0; appends.length === 0 && waited < 2000; waited += 5) {
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
    assert.deepEqual(appends, [1]);
    writer.record(late);
    assert.equal(writer.backlog, 2);

    await writer.flush();
    assert.deepEqual(appends, [1, 2]);
    assert.deepEqual(await storedIds(real), idsOf([early, late]));
    await writer.close();
    await real.close();
  });

  test('close writes what is queued, then refuses new events; the store stays open', async () => {
    const real = openStore();
    const writer = new EventWriter(real);
    const event = makeEvent();
    writer.record(event);
    await writer.close();

    assert.deepStrictEqual(await real.getEvent(event.id), asStored(event));
    assert.throws(() => writer.record(makeEvent()), WriterClosedError);
    assert.equal(await real.ping(), true);
    await real.close();
  });
});
