import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  consistencyProof,
  inclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/ledger/merkle.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import type { LedgerSetup } from '../../src/store/sqlite/ledger.js';
import { toEventRecord } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';

const folder = mkdtempSync(join(tmpdir(), 'auditgate-store-proofs-'));
const { privateKey } = generateKeyPairSync('ed25519');
const setup: LedgerSetup = {
  logId: 'gw-p',
  origin: 'auditgate/gw-p',
  privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  checkpointEvery: 1_000_000,
  checkpointIntervalMs: 0,
};
// Batch sizes that stop the tree at sizes around and between tile bounds (256, 512, 1024).
const BATCHES = [1, 2, 4, 249, 1, 255, 1, 3, 300, 217, 70];
const hex = (hash: Hash) => hash.toString('hex');
const fromHex = (text: string) => Buffer.from(text, 'hex');

function readLeafHashes(path: string): Hash[] {
  const database = new Database(path, { readonly: true });
  const rows = database
    .prepare<[], { leaf_hash: string }>('SELECT leaf_hash FROM events ORDER BY leaf_index')
    .all();
  database.close();
  return rows.map((row) => fromHex(row.leaf_hash));
}

describe('proofs read from the stored subtrees', () => {
  const path = join(folder, 'proofs.db');
  let store: SqliteStore;
  const ids: string[] = [];
  const sizes: number[] = [];
  const checkpointRoots = new Map<number, string>();

  before(async () => {
    store = openSqliteStore(path, { ledger: setup });
    for (const count of BATCHES) {
      const events = Array.from({ length: count }, () => makeEvent());
      ids.push(...events.map((event) => event.id));
      await store.append(events.map((event) => toEventRecord(event)));
      const checkpoint = await store.checkpointNow();
      assert.ok(checkpoint);
      sizes.push(checkpoint.treeSize);
      checkpointRoots.set(checkpoint.treeSize, checkpoint.rootHash);
    }
  });
  after(async () => {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps one row per complete subtree of 256 leaves or more', () => {
    assert.equal(ids.length, 1103);
    const database = new Database(path, { readonly: true });
    const rows = database
      .prepare('SELECT level, position FROM ledger_nodes ORDER BY level, position')
      .all();
    database.close();
    // 1103 leaves: four subtrees of 256, two of 512, one of 1024.
    assert.deepEqual(rows, [
      { level: 8, position: 0 },
      { level: 8, position: 1 },
      { level: 8, position: 2 },
      { level: 8, position: 3 },
      { level: 9, position: 0 },
      { level: 9, position: 1 },
      { level: 10, position: 0 },
    ]);
  });

  it('proves events across tiles against the latest checkpoint, equal to the proof from every leaf', async () => {
    const leaves = readLeafHashes(path);
    const size = ids.length;
    assert.equal(checkpointRoots.get(size), hex(rootHash(leaves)));
    for (const index of [0, 1, 2, 255, 256, 257, 511, 512, 700, 1023, 1024, 1100, 1101, 1102]) {
      const proof = await store.eventProof(ids[index]!);
      assert.ok(proof);
      assert.equal(proof.index, index);
      assert.equal(proof.treeSize, size);
      assert.deepEqual(proof.proof, inclusionProof(index, leaves).map(hex));
      const root = fromHex(proof.checkpoint.rootHash);
      assert.ok(
        verifyInclusion(index, size, fromHex(proof.leafHash), proof.proof.map(fromHex), root),
      );
    }
  });

  it('proves consistency between every pair of checkpointed sizes', async () => {
    const leaves = readLeafHashes(path);
    for (const from of sizes) {
      for (const to of sizes.filter((size) => size >= from)) {
        const answer = await store.consistencyProof(null, from, to);
        assert.deepEqual(answer.proof, consistencyProof(from, leaves.slice(0, to)).map(hex));
        const verified = verifyConsistency(
          from,
          to,
          fromHex(checkpointRoots.get(from)!),
          fromHex(checkpointRoots.get(to)!),
          answer.proof.map(fromHex),
        );
        assert.ok(verified, `consistency ${from} -> ${to}`);
      }
    }
  });

  it('proves a log whose subtrees were never stored (a store of schema 4), and stores them on reopen', async () => {
    const copy = join(folder, 'without-nodes.db');
    const database = new Database(path);
    await database.backup(copy);
    database.close();
    const edited = new Database(copy);
    edited.prepare('DELETE FROM ledger_nodes').run();
    edited.close();
    const leaves = readLeafHashes(copy);
    const size = ids.length;

    // A reader without the ledger's writer hashes the missing subtrees from their halves.
    const reader = openSqliteStore(copy);
    const proof = await reader.eventProof(ids[600]!);
    assert.deepEqual(proof?.proof, inclusionProof(600, leaves).map(hex));
    await reader.close();

    const writer = openSqliteStore(copy, { ledger: setup });
    const reopened = await writer.eventProof(ids[1030]!);
    assert.deepEqual(reopened?.proof, inclusionProof(1030, leaves.slice(0, size)).map(hex));
    await writer.close();
    const check = new Database(copy, { readonly: true });
    const count = check.prepare('SELECT COUNT(*) AS count FROM ledger_nodes').get();
    check.close();
    assert.deepEqual(count, { count: 7 });
  });
});
