/**
 * `npm run bench:proofs`: what one inclusion proof and one consistency proof cost on a large log,
 * read from the store's subtree roots (`ledger_nodes`) and leaf hashes. The log is written
 * directly into a fresh SQLite file (leaf rows and the subtree roots the append keeps), since
 * appending a million events through the writer would take minutes.
 *
 * The results replace the "Ledger proofs" section of bench/RESULTS.md. Through the environment:
 *   BENCH_LEAVES  leaves in the log (default 1000000)
 *   BENCH_PROOFS  proofs timed, at spread indexes (default 200)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { format, resolveConfig } from 'prettier';
import {
  consistencyProofOf,
  Frontier,
  inclusionProofOf,
  verifyConsistency,
  verifyInclusion,
} from '../src/ledger/merkle.js';
import { StoredTree, TILE_HEIGHT } from '../src/store/sqlite/ledger.js';
import { migrate } from '../src/store/sqlite/migrations.js';
import { describeMachine } from './machine.js';

const RESULTS_FILE = new URL('./RESULTS.md', import.meta.url);
const SECTION = '## Ledger proofs';

function fromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name}: expected a positive whole number`);
  }
  return value;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? 0;
}

async function main(): Promise<void> {
  const leaves = fromEnvironment('BENCH_LEAVES', 1_000_000);
  const proofs = fromEnvironment('BENCH_PROOFS', 200);
  const loadAtStart = loadavg()[0] ?? 0;
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-bench-proofs-'));
  const database = new Database(join(folder, 'store.db'));
  database.pragma('journal_mode = WAL');
  migrate(database);

  const logId = 'gw-bench';
  database
    .prepare(
      `INSERT INTO ledger_logs (log_id, origin, public_key, tree_size, frontier, created_at)
       VALUES (?, ?, '', ?, '[]', ?)`,
    )
    .run(logId, `auditgate/${logId}`, leaves, new Date().toISOString());
  const insertLeaf = database.prepare(`
    INSERT INTO events (id, kind, time, trace_id, outcome, envelope, log_id, leaf_index, leaf_hash)
    VALUES (?, 'llm.call', '2026-12-03T00:00:00.000Z', 't', 'ok', '{}', ?, ?, ?)`);
  const insertNode = database.prepare(
    'INSERT INTO ledger_nodes (log_id, level, position, hash) VALUES (?, ?, ?, ?)',
  );
  const frontier = new Frontier();
  const leafHashes: Buffer[] = [];
  const built = performance.now();
  const write = database.transaction((first: number, last: number) => {
    for (let index = first; index < last; index += 1) {
      const leafHash = createHash('sha256').update(`leaf ${index}`).digest();
      leafHashes.push(leafHash);
      insertLeaf.run(`e${index}`, logId, index, leafHash.toString('hex'));
      frontier.append(leafHash, (level, hash) => {
        if (level >= TILE_HEIGHT) insertNode.run(logId, level, index >>> level, hash);
      });
    }
  });
  for (let first = 0; first < leaves; first += 50_000)
    write(first, Math.min(leaves, first + 50_000));
  const buildSeconds = (performance.now() - built) / 1000;
  const root = frontier.root();

  const inclusionMs: number[] = [];
  for (let round = 0; round < proofs; round += 1) {
    const index = Math.floor(((round * 7919) % proofs) * (leaves / proofs));
    const started = performance.now();
    // A fresh tree each time: nothing is reused from the proof before.
    const tree = new StoredTree(database, logId);
    const proof = inclusionProofOf(index, leaves, (start, end) => tree.subtree(start, end));
    inclusionMs.push(performance.now() - started);
    if (!verifyInclusion(index, leaves, leafHashes[index]!, proof, root)) {
      throw new Error(`the proof of leaf ${index} does not verify`);
    }
  }
  const consistencyMs: number[] = [];
  for (let round = 0; round < proofs; round += 1) {
    const from = 1 + Math.floor(((round * 7919) % proofs) * ((leaves - 1) / proofs));
    const started = performance.now();
    const tree = new StoredTree(database, logId);
    const proof = consistencyProofOf(from, leaves, (start, end) => tree.subtree(start, end));
    consistencyMs.push(performance.now() - started);
    const old = new Frontier();
    if (round < 3) {
      for (const leafHash of leafHashes.slice(0, from)) old.append(leafHash);
      if (!verifyConsistency(from, leaves, old.root(), root, proof)) {
        throw new Error(`the consistency proof from ${from} does not verify`);
      }
    }
  }
  database.close();
  rmSync(folder, { recursive: true, force: true });

  const machine = describeMachine();
  const section = [
    SECTION,
    '',
    `Latest run of \`npm run bench:proofs\` (${new Date().toISOString()}); each run replaces this section.`,
    '',
    `- machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB; Node ${machine.node} on ${machine.system}`,
    `- 1-minute load average: ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`,
    `- a log of ${leaves} leaves written directly into SQLite with its subtree roots in ${buildSeconds.toFixed(1)} s; ${proofs} proofs of each kind at spread indexes, each from a fresh reader, each verified against the root`,
    '',
    '| proof on a log of ' + leaves + ' leaves | p50 (ms) | p99 (ms) |',
    '| --- | ---: | ---: |',
    `| inclusion (\`GET /api/v1/events/:id/proof\`) | ${percentile(inclusionMs, 0.5).toFixed(2)} | ${percentile(inclusionMs, 0.99).toFixed(2)} |`,
    `| consistency to the full size | ${percentile(consistencyMs, 0.5).toFixed(2)} | ${percentile(consistencyMs, 0.99).toFixed(2)} |`,
    '',
    `Method: a proof reads the stored roots of complete subtrees of 2^${TILE_HEIGHT} leaves and more (one row each) and hashes lower nodes from at most two ranges of 256 leaf hashes, so its reads grow with log n.`,
    '',
  ].join('\n');
  console.log(section);

  const current = readFileSync(RESULTS_FILE, 'utf8');
  const start = current.indexOf(`\n${SECTION}\n`);
  let text: string;
  if (start >= 0) {
    const next = current.indexOf('\n## ', start + SECTION.length + 2);
    text = `${current.slice(0, start)}\n\n${section}\n${next >= 0 ? current.slice(next) : ''}`;
  } else {
    // Before the Ledger section, which `npm run bench:ledger` keeps last.
    const ledger = current.indexOf('\n## Ledger\n');
    text =
      ledger >= 0
        ? `${current.slice(0, ledger)}\n\n${section}\n${current.slice(ledger)}`
        : `${current.trimEnd()}\n\n${section}`;
  }
  const options = await resolveConfig(fileURLToPath(RESULTS_FILE));
  writeFileSync(RESULTS_FILE, await format(text, { ...options, parser: 'markdown' }));
  console.error('bench: the Ledger proofs section of bench/RESULTS.md is written');
}

await main();
