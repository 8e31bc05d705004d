import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { leafHashOf } from '../../src/ledger/leaf.js';
import { ledgerKey } from '../../src/ledger/key.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { toEventRecord } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';
import { runCommand } from '../helpers/run-cli.js';
import { writeConfig } from '../helpers/upstream.js';

const root = mkdtempSync(join(tmpdir(), 'auditgate-tamper-'));
const original = join(root, 'original');
const ids: string[] = [];
let copies = 0;

/** A copy of the original data folder, changed by `tamper` through SQLite directly. */
function tampered(tamper: (database: Database.Database) => void): string {
  copies += 1;
  const folder = join(root, `copy-${copies}`);
  cpSync(original, folder, { recursive: true });
  const database = new Database(join(folder, 'auditgate.db'));
  tamper(database);
  database.close();
  return folder;
}

describe('auditgate verify on a store changed behind its back', () => {
  before(async () => {
    mkdirSync(original);
    const key = ledgerKey(original, undefined);
    const store = openSqliteStore(join(original, 'auditgate.db'), {
      ledger: {
        logId: 'gw-test',
        origin: 'auditgate/gw-test',
        privateKeyPem: key.pem,
        checkpointEvery: 4,
        checkpointIntervalMs: 0,
      },
    });
    for (let batch = 0; batch < 5; batch += 1) {
      const events = [0, 1].map((offset) =>
        makeEvent({ identity: { userId: `user-${batch * 2 + offset}` } }),
      );
      ids.push(...events.map((event) => event.id));
      await store.append(events.map((event) => toEventRecord(event)));
      await store.checkpointNow();
    }
    await store.close();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('passes on the store as written, with a summary', async () => {
    const { status, output } = await runCommand(['verify', '--data', original]);
    assert.equal(status, 0, output);
    assert.match(
      output,
      /log gw-test \(auditgate\/gw-test\): 10 events, 5 checkpoints \(the last at size 10\): ok/,
    );
  });

  it('verifies the store a configuration names, with its ledger key path', async () => {
    const config = writeConfig({
      store: { type: 'sqlite', path: join(original, 'auditgate.db') },
      ledger: { keyPath: join(original, 'ledger-key.pem') },
    });
    const empty = join(root, 'empty-data');
    const { status, output } = await runCommand([
      'verify',
      '--config',
      config.path,
      '--data',
      empty,
    ]);
    config.remove();
    assert.equal(status, 0, output);
    assert.match(output, /log gw-test \(auditgate\/gw-test\): 10 events, 5 checkpoints/);
    assert.doesNotMatch(output, /no ledger key/);
  });

  it('names an event whose envelope was changed', async () => {
    const folder = tampered((database) => {
      database
        .prepare(
          "UPDATE events SET envelope = json_set(envelope, '$.request.model', 'tampered-model') WHERE id = ?",
        )
        .run(ids[3]);
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(`changed: event ${ids[3]} at index 3 no longer matches its leaf hash`),
      output,
    );
    assert.match(output, /verification failed/);
  });

  it('names the place of an event that was removed, between its neighbours', async () => {
    const folder = tampered((database) => {
      database.prepare('DELETE FROM events WHERE id = ?').run(ids[5]);
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(
        `removed: the event at index 5 was removed (after ${ids[4]} and before ${ids[6]})`,
      ),
      output,
    );
  });

  it('names both events of a pair whose order was swapped', async () => {
    const folder = tampered((database) => {
      const move = database.prepare('UPDATE events SET leaf_index = ? WHERE id = ?');
      database.transaction(() => {
        move.run(-1, ids[2]);
        move.run(2, ids[6]);
        move.run(6, ids[2]);
      })();
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(`reordered: event ${ids[6]} sits at index 2, but its envelope says index 6`),
      output,
    );
    assert.ok(
      output.includes(`reordered: event ${ids[2]} sits at index 6, but its envelope says index 2`),
      output,
    );
  });

  it('names an event inserted outside the log, and one appended past its recorded size', async () => {
    const folder = tampered((database) => {
      const copy = database.prepare(`
        INSERT INTO events (id, kind, time, trace_id, outcome, envelope, log_id, leaf_index, leaf_hash)
        SELECT ?, kind, ?, trace_id, outcome, envelope, ?, ?, leaf_hash FROM events WHERE id = ?`);
      copy.run('forged-1', new Date().toISOString(), null, null, ids[0]);
      copy.run('forged-2', new Date().toISOString(), 'gw-test', 10, ids[9]);
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(
        'inserted: event forged-1 is in no log, though it is dated after the ledger began',
      ),
      output,
    );
    assert.ok(
      output.includes("inserted: event forged-2 at index 10 is past the log's recorded size 10"),
      output,
    );
  });

  it('names a content row that no longer opens its commitment', async () => {
    const folder = tampered((database) => {
      database
        .prepare(
          "UPDATE event_content SET content = replace(content, 'Paris', 'Lyon') WHERE event_id = ?",
        )
        .run(ids[7]);
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(
        `content_changed: event ${ids[7]}: its content no longer matches its commitment`,
      ),
      output,
    );
  });

  it('names a content row deleted without an erasure', async () => {
    const folder = tampered((database) => {
      database.prepare('DELETE FROM event_content WHERE event_id = ?').run(ids[8]);
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(
        `content_missing: event ${ids[8]}: its content was deleted, and no erasure event names it`,
      ),
      output,
    );
  });

  it('catches an event rewritten with its leaf hash recomputed, by the signed checkpoints', async () => {
    const folder = tampered((database) => {
      const row = database
        .prepare<[string], { envelope: string; content_commitment: string }>(
          'SELECT envelope, content_commitment FROM events WHERE id = ?',
        )
        .get(ids[1]!)!;
      const envelope = JSON.parse(row.envelope) as Record<string, Record<string, unknown>>;
      envelope.request!.model = 'tampered-model';
      const leafHash = leafHashOf(envelope, row.content_commitment).toString('hex');
      envelope.ledger!.leafHash = leafHash;
      database
        .prepare('UPDATE events SET envelope = ?, leaf_hash = ? WHERE id = ?')
        .run(JSON.stringify(envelope), leafHash, ids[1]);
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    // The first checkpoint covering index 1 is the one at size 2.
    assert.ok(
      output.includes(
        'checkpoint_root: checkpoint at size 2: the events stored now hash to another root than it signed (a leaf from index 0 to 1 was changed)',
      ),
      output,
    );
  });

  it('names a checkpoint whose signed note was edited', async () => {
    const folder = tampered((database) => {
      database
        .prepare(
          "UPDATE ledger_checkpoints SET note = replace(note, char(10) || '4' || char(10), char(10) || '5' || char(10)) WHERE tree_size = 4",
        )
        .run();
    });
    const { status, output } = await runCommand(['verify', '--data', folder]);
    assert.equal(status, 1, output);
    assert.ok(
      output.includes(
        'checkpoint_signature: checkpoint at size 4: its signature does not verify (bad_signature)',
      ),
      output,
    );
  });
});
