import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { LedgerSetup } from '../../src/store/sqlite/ledger.js';
import { toEventRecord } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';
import { runCommand } from '../helpers/run-cli.js';

const folder = mkdtempSync(join(tmpdir(), 'auditgate-bundle-left-out-'));
const { privateKey } = generateKeyPairSync('ed25519');
const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

function setup(logId: string): LedgerSetup {
  return {
    logId,
    origin: `auditgate/${logId}`,
    privateKeyPem,
    checkpointEvery: 1000,
    checkpointIntervalMs: 0,
  };
}

/** Appends `count` events to the log `logId` of the store at `path`; closing signs a checkpoint. */
async function appendTo(path: string, logId: string, count: number): Promise<void> {
  const store = openSqliteStore(path, { ledger: setup(logId) });
  await store.append(Array.from({ length: count }, () => toEventRecord(makeEvent())));
  await store.close();
}

describe('an evidence bundle counts the events it leaves out', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('per log: events newer than the last checkpoint, and every event of a log without one', async () => {
    const path = join(folder, 'store.db');
    // gw-b: 3 events, a checkpoint at 3, then 2 events whose checkpoint is lost (a crash).
    await appendTo(path, 'gw-b', 3);
    await appendTo(path, 'gw-b', 2);
    // gw-c: 4 events and no checkpoint at all.
    await appendTo(path, 'gw-c', 4);
    const database = new Database(path);
    database
      .prepare("DELETE FROM ledger_checkpoints WHERE log_id = 'gw-b' AND tree_size = 5")
      .run();
    database.prepare("DELETE FROM ledger_checkpoints WHERE log_id = 'gw-c'").run();
    database.close();

    const store = openSqliteStore(path, { ledger: setup('gw-a') });
    await store.append([makeEvent(), makeEvent()].map((event) => toEventRecord(event)));
    const bundle = await store.evidenceBundle('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');
    await store.close();

    const proven = Object.fromEntries(bundle.logs.map((log) => [log.logId, log.events.length]));
    assert.deepEqual(proven, { 'gw-a': 2, 'gw-b': 3 });
    assert.deepEqual(
      [...(bundle.leftOut ?? [])].sort((left, right) => left.logId.localeCompare(right.logId)),
      [
        { logId: 'gw-b', events: 2, checkpointSize: 3 },
        { logId: 'gw-c', events: 4, checkpointSize: 0 },
      ],
    );

    const file = join(folder, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const verified = await runCommand(['verify', '--bundle', file]);
    assert.equal(verified.status, 0, verified.output);
    assert.match(
      verified.output,
      /left out: 2 events of log gw-b newer than its last checkpoint \(at size 3\)/,
    );
    assert.match(
      verified.output,
      /4 events of log gw-c newer than its last checkpoint \(it has none\)/,
    );
  });
});
