/**
 * `npm run bench:ledger`: what the ledger costs. Two measures, each with the ledger on and off
 * in the same run, alternating:
 *
 * - the latency of a proxied non-stream call, one in flight, through two gateway processes
 *   that differ only in `ledger.enabled` (both against the same mock upstream);
 * - events per second written into SQLite through the event writer and the store thread,
 *   with checkpoints on (`checkpointEvery` 1000, as by default).
 *
 * The results replace the "Ledger" section of bench/RESULTS.md. Through the environment:
 *   BENCH_REQUESTS  proxied calls per gateway (default 3000)
 *   BENCH_EVENTS    events per store run (default 20000)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateKeyPairSync } from 'node:crypto';
import { openSqliteWorkerStore } from '../src/store/sqlite/worker-store.js';
import { EventWriter } from '../src/store/writer.js';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { makeEvent } from '../test/helpers/events.js';
import { startHelper } from './child.js';
import { createTarget, emptySample, runSequential } from './load.js';
import { describeMachine } from './machine.js';
import { measureSequential } from './phases.js';

const RESULTS_FILE = new URL('./RESULTS.md', import.meta.url);
const SECTION = '## Ledger';
const CHAT_PATH = '/openai/v1/chat/completions';

function fromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name}: expected a positive whole number`);
  return value;
}

/** Nearest-rank percentile of `values` (sorted here). */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function measureLatency(requests: number) {
  const mock = await startHelper('./mock-upstream.ts');
  const on = await startHelper('./gateway-process.ts', [mock.ready.url]);
  const off = await startHelper('./gateway-process.ts', [mock.ready.url, 'ledger-off']);
  // `direct` and `gateway` are the phase helper's names: here, ledger off and ledger on.
  const targets = {
    direct: createTarget('direct', off.ready.url, CHAT_PATH, 1),
    gateway: createTarget('gateway', on.ready.url, CHAT_PATH, 1),
  };
  try {
    for (const target of [targets.direct, targets.gateway]) {
      await runSequential(target, 'plain', 300, emptySample());
    }
    const samples = await measureSequential(targets, 'plain', requests, 10);
    const totals = (name: 'direct' | 'gateway') => samples[name].timings.map((t) => t.totalMs);
    const errors = samples.direct.errors.size + samples.gateway.errors.size;
    return {
      off: { p50: percentile(totals('direct'), 0.5), p99: percentile(totals('direct'), 0.99) },
      on: { p50: percentile(totals('gateway'), 0.5), p99: percentile(totals('gateway'), 0.99) },
      errors,
    };
  } finally {
    await Promise.all([targets.direct.pool.close(), targets.gateway.pool.close()]);
    await on.stop();
    await off.stop();
    await mock.stop();
  }
}

/** Events per second through the writer into a fresh store, ledger on or off. */
async function measureStore(events: number, ledger: boolean): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-ledger-bench-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const store = await openSqliteWorkerStore(join(folder, 'auditgate.db'), {
    ...(ledger
      ? {
          ledger: {
            logId: 'bench',
            origin: 'auditgate/bench',
            privateKeyPem: pem,
            checkpointEvery: 1000,
            checkpointIntervalMs: 10_000,
          },
        }
      : {}),
  });
  const writer = new EventWriter(store);
  const prepared = Array.from({ length: events }, () => makeEvent());
  const started = performance.now();
  for (const event of prepared) writer.record(event);
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  await writer.close();
  if (ledger) {
    const [log] = await store.ledgerState();
    if (log?.treeSize !== events)
      throw new Error(`expected ${events} leaves, got ${log?.treeSize}`);
  }
  await store.close();
  rmSync(folder, { recursive: true, force: true });
  return events / seconds;
}

async function main(): Promise<void> {
  const requests = fromEnvironment('BENCH_REQUESTS', 3000);
  const events = fromEnvironment('BENCH_EVENTS', 20_000);
  const loadAtStart = loadavg()[0] ?? 0;
  const started = performance.now();

  console.error('bench: store throughput');
  const rates = { on: [] as number[], off: [] as number[] };
  for (const round of [0, 1, 2, 3]) {
    const ledger = round % 2 === 0;
    rates[ledger ? 'on' : 'off'].push(await measureStore(events, ledger));
  }
  console.error('bench: proxied call latency');
  const latency = await measureLatency(requests);

  const best = (values: number[]) => Math.round(Math.max(...values));
  const machine = describeMachine();
  const section = [
    SECTION,
    '',
    `Latest run of \`npm run bench:ledger\` (${new Date().toISOString()}, ${Math.round((performance.now() - started) / 1000)} s); each run replaces this section.`,
    '',
    `- machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB; Node ${machine.node} on ${machine.system}`,
    `- 1-minute load average: ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`,
    `- settings: ${requests} proxied non-stream calls per gateway, one in flight, in 10 alternating rounds after 300 warm-up calls; ${events} events per store run, two runs each way, alternating`,
    '',
    '| measure | ledger off | ledger on | added |',
    '| --- | ---: | ---: | ---: |',
    `| proxied call, p50 (ms) | ${latency.off.p50.toFixed(2)} | ${latency.on.p50.toFixed(2)} | ${(latency.on.p50 - latency.off.p50).toFixed(2)} |`,
    `| proxied call, p99 (ms) | ${latency.off.p99.toFixed(2)} | ${latency.on.p99.toFixed(2)} | ${(latency.on.p99 - latency.off.p99).toFixed(2)} |`,
    `| events per second into SQLite, best of 2 | ${best(rates.off)} | ${best(rates.on)} | |`,
    '',
    `Goal: at least 5,000 events per second with checkpoints on (every 1000 events), and no more than 1 ms added at p99 to a proxied call. Store runs: ledger on ${rates.on.map(Math.round).join(', ')}; off ${rates.off.map(Math.round).join(', ')} events/s. Request errors: ${latency.errors}.`,
    '',
    "Method: the store runs record prepared `llm.call` events (test/helpers/events.ts, with content) through the `EventWriter` into a fresh SQLite file on its store thread, timing from the first `record` to the end of `flush`; with the ledger on, each event gets its salt, commitment, canonical leaf and leaf hash in the append transaction, and a checkpoint is signed and checked every 1000 events. The latency runs use the gateway benchmark's mock upstream and load generator (bench/load.ts), the two gateways in their own processes, alternating round by round.",
    '',
  ].join('\n');

  console.log(section);
  const current = readFileSync(RESULTS_FILE, 'utf8');
  const start = current.indexOf(`\n${SECTION}\n`);
  const kept = start < 0 ? current : current.slice(0, start);
  // Laid out as the repository's Prettier settings want it, as the gateway bench does.
  const options = await resolveConfig(fileURLToPath(RESULTS_FILE));
  const text = `${kept.trimEnd()}\n\n${section}`;
  writeFileSync(RESULTS_FILE, await format(text, { ...options, parser: 'markdown' }));
  console.error('bench: the Ledger section of bench/RESULTS.md is written');
}

await main();
