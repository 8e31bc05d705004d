import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore, type CheckpointResult } from '../../src/store/sqlite/index.js';
import type { LedgerSetup } from '../../src/store/sqlite/ledger.js';
import { verifyStoreFile } from '../../src/store/sqlite/verify.js';
import { toEventRecord } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';

const folder = mkdtempSync(join(tmpdir(), 'auditgate-store-ledger-'));
const { privateKey } = generateKeyPairSync('ed25519');
const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
let files = 0;

function setup(overrides: Partial<LedgerSetup> = {}): LedgerSetup {
  return {
    logId: 'gw-a',
    origin: 'auditgate/gw-a',
    privateKeyPem,
    checkpointEvery: 1000,
    checkpointIntervalMs: 0,
    ...overrides,
  };
}

function newPath(): string {
  files += 1;
  return join(folder, `ledger-${files}.db`);
}

describe('the store keeps the ledger', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('continues the same tree after a reopen, and a retried batch adds no leaf', async () => {
    const path = newPath();
    const first = openSqliteStore(path, { ledger: setup() });
    const batch = [makeEvent(), makeEvent()].map((event) => toEventRecord(event));
    await first.append(batch);
    await first.append(batch);
    await first.close();

    const second = openSqliteStore(path, { ledger: setup() });
    const third = makeEvent();
    await second.append([toEventRecord(third)]);
    assert.equal((await second.getEvent(third.id))?.ledger?.index, 2);
    const [log] = await second.ledgerState();
    assert.equal(log?.treeSize, 3);
    await second.close();

    const report = verifyStoreFile(path, { publicKey: null });
    assert.deepEqual(report.logs[0]?.findings, []);
    // One checkpoint at each close: sizes 2 and 3.
    assert.equal(report.logs[0]?.checkpoints, 2);
  });

  it('signs a checkpoint on its timer when fewer than checkpointEvery events arrived', async () => {
    const results: CheckpointResult[] = [];
    const store = openSqliteStore(newPath(), {
      ledger: setup({ checkpointIntervalMs: 30 }),
      onCheckpoint: (result) => results.push(result),
    });
    await store.append([toEventRecord(makeEvent())]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(results.length, 1);
    assert.ok('checkpoint' in results[0]!);
    assert.equal(results[0].checkpoint.treeSize, 1);
    await store.close();
  });

  it('signs a checkpoint every checkpointEvery events', async () => {
    const results: CheckpointResult[] = [];
    const store = openSqliteStore(newPath(), {
      ledger: setup({ checkpointEvery: 3 }),
      onCheckpoint: (result) => results.push(result),
    });
    await store.append([makeEvent(), makeEvent()].map((event) => toEventRecord(event)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(results.length, 0);
    await store.append([makeEvent()].map((event) => toEventRecord(event)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      results.map((result) => ('checkpoint' in result ? result.checkpoint.treeSize : -1)),
      [3],
    );
    await store.close();
  });

  it('refuses to sign a checkpoint over leaves changed since the last one', async () => {
    const path = newPath();
    const results: CheckpointResult[] = [];
    const store = openSqliteStore(path, {
      ledger: setup(),
      onCheckpoint: (result) => results.push(result),
    });
    await store.append([toEventRecord(makeEvent())]);
    await store.checkpointNow();
    const changed = makeEvent();
    await store.append([toEventRecord(changed)]);

    const database = new Database(path);
    database
      .prepare('UPDATE events SET leaf_hash = ? WHERE id = ?')
      .run('00'.repeat(32), changed.id);
    database.close();

    await store.append([toEventRecord(makeEvent())]);
    await assert.rejects(store.checkpointNow(), { code: 'ledger_inconsistent' });
    const last = results.at(-1);
    assert.equal(last && 'error' in last && last.error.code, 'ledger_inconsistent');
    assert.equal((await store.listCheckpoints(null, 10)).length, 1);
    await store.close();
  });

  it('lets only one writer append to a log: a second one on the same file is refused', async () => {
    const path = newPath();
    const first = openSqliteStore(path, { ledger: setup() });
    const second = openSqliteStore(path, { ledger: setup() });
    await first.append([toEventRecord(makeEvent())]);
    const refused = makeEvent();
    await assert.rejects(second.append([toEventRecord(refused)]), { code: 'ledger_inconsistent' });
    assert.equal(await first.getEvent(refused.id), null);
    await first.append([toEventRecord(makeEvent())]);
    assert.equal((await first.ledgerState())[0]?.treeSize, 2);
    await second.close();
    await first.close();
  });

  it("refuses an erasure under a hold on the team of one of the subject's events", async () => {
    const store = openSqliteStore(newPath(), { ledger: setup() });
    const ownEvent = makeEvent({ identity: { userId: 'ana', teamId: 'legal' } });
    await store.append([toEventRecord(ownEvent)]);
    const hold = await store.createHold({
      subject: 'team:legal',
      from: null,
      to: null,
      reason: 'case 12',
    });
    // A hold on another team does not cover her.
    await store.createHold({
      subject: 'team:sales',
      from: null,
      to: null,
      reason: 'x',
    });

    const request = makeEvent({ kind: 'erasure', request: null, response: null, usage: null });
    const refused = await store.erase('user:ana', 'art. 17', request);
    assert.deepEqual(refused.refusedBy, [hold.id]);
    assert.equal(refused.status, 'refused');

    await store.releaseHold(hold.id);
    const second = makeEvent({ kind: 'erasure', request: null, response: null, usage: null });
    const erased = await store.erase('user:ana', 'art. 17', second);
    assert.deepEqual(erased.erasedEventIds, [ownEvent.id]);
    assert.equal((await store.getEvent(ownEvent.id))?.request?.messages, null);
    await store.close();
  });

  it('refuses to keep a log with another key than the one it was begun with', async () => {
    const path = newPath();
    await openSqliteStore(path, { ledger: setup() }).close();
    const other = generateKeyPairSync('ed25519').privateKey;
    const otherPem = other.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(() => openSqliteStore(path, { ledger: setup({ privateKeyPem: otherPem }) }), {
      code: 'ledger_inconsistent',
    });
  });
});
