/**
 * `npm run bench:privacy-refuse`: what `privacy.failureMode: refuse` adds to a call's latency.
 * Two gateways in this process answer from the simulator (no pacing delay), one with the
 * setting off and one with it on; calls alternate between them, each with a new prompt of about
 * 1 KB of the PII evaluation set's text (so no findings come from the cache), and the run
 * prints the latency each client saw and the ratio of on to off.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { startTestGateway, type TestGateway } from '../test/helpers/gateway.js';
import { writeConfig } from '../test/helpers/upstream.js';
import { describeMachine } from './machine.js';
import { summarise } from './stats.js';

const CALLS = Number(process.env.CALLS ?? 400);
const WARM_UP = 40;
const DATASET = new URL('../test/fixtures/pii/synth_dataset_v2.json', import.meta.url);

/** Prompts of about 1 KB, each made of the evaluation set's texts, none the same. */
function prompts(count: number): string[] {
  const texts = (JSON.parse(readFileSync(DATASET, 'utf8')) as { full_text: string }[]).map(
    (sample) => sample.full_text,
  );
  const result: string[] = [];
  let index = 0;
  for (let prompt = 0; prompt < count; prompt += 1) {
    let text = `request ${prompt}:`;
    while (text.length < 1024) text += ` ${texts[index++ % texts.length] as string}`;
    result.push(text);
  }
  return result;
}

async function timedCall(gateway: TestGateway, prompt: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: prompt }] }),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`status ${response.status}`);
  return performance.now() - started;
}

async function main() {
  const configs = [writeConfig({}), writeConfig({ privacy: { failureMode: 'refuse' } })];
  const logger = pino({ level: 'silent' });
  const [off, on] = await Promise.all(
    configs.map((config) => startTestGateway({ configFile: config.path, logger })),
  );
  if (!off || !on) throw new Error('gateways did not start');
  const texts = prompts(2 * (CALLS + WARM_UP));
  const latencies = { off: [] as number[], on: [] as number[] };
  const load = loadavg()[0] ?? 0;
  for (let call = 0; call < CALLS + WARM_UP; call += 1) {
    // Alternate which goes first, so neither always follows the other's writer work.
    const order = call % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
    for (const [position, name] of order.entries()) {
      const gateway = name === 'off' ? off : on;
      const latency = await timedCall(gateway, texts[2 * call + position] as string);
      if (call >= WARM_UP) latencies[name].push(latency);
    }
  }
  await Promise.all([off.stop(), on.stop()]);
  for (const config of configs) config.remove();

  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const offStats = summarise(latencies.off);
  const onStats = summarise(latencies.on);
  const machine = describeMachine();
  console.log(`machine: ${JSON.stringify(machine)}; load average ${load.toFixed(1)} at start`);
  console.log(`calls: ${CALLS} to each gateway (after ${WARM_UP} warm-up), prompts of about 1 KB`);
  for (const [name, stats, values] of [
    ['off', offStats, latencies.off],
    ['on', onStats, latencies.on],
  ] as const) {
    console.log(
      `failureMode ${name === 'on' ? 'refuse' : 'redact'}: mean ${mean(values).toFixed(2)} ms, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms`,
    );
  }
  console.log(
    `ratio refuse/redact: mean ${(mean(latencies.on) / mean(latencies.off)).toFixed(2)}x, p50 ${(onStats.p50 / offStats.p50).toFixed(2)}x, p99 ${(onStats.p99 / offStats.p99).toFixed(2)}x`,
  );
}

await main();
