/**
 * `node --import tsx bench/keys.bench.ts`: what authenticating a call by virtual key costs on
 * the hot path, as the choice between a lookup on the store thread per call and the
 * registry's cache (invalidated on revoke). Prints microseconds per lookup; nothing is written.
 *
 *   BENCH_LOOKUPS  lookups per measure (default 20000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeEvent } from '../test/helpers/events.js';
import { KeyRegistry } from '../src/identity/key-registry.js';
import { hashKey } from '../src/identity/keys.js';
import { openSqliteWorkerStore } from '../src/store/sqlite/worker-store.js';
import { describeMachine } from './machine.js';
import { summarise } from './stats.js';

const KEYS = 10_000;
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20_000);

const folder = mkdtempSync(join(tmpdir(), 'auditgate-keys-bench-'));
const store = await openSqliteWorkerStore(join(folder, 'auditgate.db'));
const registry = new KeyRegistry(store);
const texts: string[] = [];
for (let index = 0; index < KEYS; index += 1) {
  const { key } = await registry.create({
    teamId: `team-${index % 50}`,
    appId: `app-${index % 200}`,
    agentId: null,
    actorType: null,
    project: null,
    businessUnit: null,
    models: null,
    expiresAt: null,
  });
  texts.push(key);
}

async function time(lookup: (text: string) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < LOOKUPS; index += 1) {
    const text = texts[index % KEYS] as string;
    const start = performance.now();
    await lookup(text);
    samples.push((performance.now() - start) * 1000);
  }
  return samples;
}

/** Appends batches of 64 events back to back, as a busy writer does, until stopped. */
function appendUnderneath(): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const records = Array.from({ length: 64 }, () => ({ envelope: makeEvent(), content: null }));
      await store.append(records);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

const perCallIdle = await time((text) => store.findKey(hashKey(text)));
const stopAppends = appendUnderneath();
const perCallBusy = await time((text) => store.findKey(hashKey(text)));
await stopAppends();
await time((text) => registry.resolve(text)); // fills the cache
const cached = await time((text) => registry.resolve(text));

const machine = describeMachine();
const line = (name: string, samples: number[]) => {
  const { p50, p99 } = summarise(samples);
  console.log(`| ${name} | ${p50.toFixed(1)} | ${p99.toFixed(1)} |`);
};
console.log(`${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);
console.log(`load average ${loadavg()[0]?.toFixed(2)}; ${KEYS} keys, ${LOOKUPS} lookups each`);
console.log('| lookup | p50 (µs) | p99 (µs) |\n| --- | ---: | ---: |');
line('store thread, per call, idle store', perCallIdle);
line('store thread, per call, store appending 64-event batches', perCallBusy);
line('registry cache hit (SHA-256 of the key + Map)', cached);

await store.close();
rmSync(folder, { recursive: true, force: true });
