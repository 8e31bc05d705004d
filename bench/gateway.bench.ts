/**
 * `npm run bench`: the gateway against a direct call to the same mock upstream, interleaved in
 * one run, then a check that every request through the gateway was recorded. Results go to
 * stdout and bench/RESULTS.md. Longer runs, through the environment:
 *
 *   BENCH_SECONDS      closed-loop seconds per target and kind (default 5)
 *   BENCH_REQUESTS     non-stream requests per target at 1 in flight (default 3000)
 *   BENCH_STREAMS      stream requests per target at 1 in flight (default 1500)
 *   BENCH_CONCURRENCY  requests in flight in the closed loop (default 16)
 *   BENCH_KEEP_DATA=1  keep the gateway's data folder
 *   BENCH_PROFILE=dir  write a V8 CPU profile of the gateway process into dir
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { startHelper, type Helper } from './child.js';
import { createTarget, emptySample, runSequential, type RequestKind } from './load.js';
import { describeMachine } from './machine.js';
import { measureSequential, measureThroughput, type Targets } from './phases.js';
import { readRecording } from './recording.js';
import type { RunResults, Settings } from './report.js';
import { recordingMatches, resultsFile, runReport } from './results-file.js';

const RESULTS_FILE = new URL('./RESULTS.md', import.meta.url);
/** Where the sections the other benchmarks write into RESULTS.md begin. */
const OTHER_SECTIONS = ['<!-- spend bench', '<!-- privacy-bench -->', '\n## Ledger\n'];
const CHAT_PATH = '/v1/chat/completions';

function positiveFromEnvironment(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

function readSettings(): Settings {
  return {
    plainRequests: positiveFromEnvironment('BENCH_REQUESTS', 3000),
    streamRequests: positiveFromEnvironment('BENCH_STREAMS', 1500),
    warmupRequests: 300,
    rounds: 10,
    seconds: positiveFromEnvironment('BENCH_SECONDS', 5),
    concurrency: positiveFromEnvironment('BENCH_CONCURRENCY', 16),
  };
}

/** Warms both paths (JIT, connections, SQLite pages) without keeping the timings. */
async function warmUp(targets: Targets, settings: Settings): Promise<void> {
  for (const kind of ['plain', 'stream'] satisfies RequestKind[]) {
    for (const target of [targets.direct, targets.gateway]) {
      await runSequential(target, kind, settings.warmupRequests, emptySample());
    }
  }
}

async function measure(targets: Targets, settings: Settings, gateway: Helper) {
  await warmUp(targets, settings);
  log('latency, non-stream');
  const plain = await measureSequential(targets, 'plain', settings.plainRequests, settings.rounds);
  log('latency, stream');
  const stream = await measureSequential(
    targets,
    'stream',
    settings.streamRequests,
    settings.rounds,
  );

  const gatewayCpu = async () => (await gateway.ask('cpu')).cpuMicroseconds;
  const load = { concurrency: settings.concurrency, seconds: settings.seconds, gatewayCpu };
  log('throughput, non-stream');
  const plainLoad = await measureThroughput(targets, 'plain', load);
  log('throughput, stream');
  const streamLoad = await measureThroughput(targets, 'stream', load);
  return { plain, stream, plainLoad, streamLoad };
}

function log(phase: string): void {
  console.error(`bench: ${phase}`);
}

/** The mock upstream, then the gateway pointed at it; BENCH_PROFILE profiles the gateway. */
async function startHelpers(): Promise<{ mock: Helper; gateway: Helper }> {
  const mock = await startHelper('./mock-upstream.ts');
  const profile = process.env.BENCH_PROFILE;
  const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const gateway = await startHelper('./gateway-process.ts', [mock.ready.url], profiling);
  return { mock, gateway };
}

/** Markdown laid out as the repository's Prettier settings want it (aligned tables). */
async function formatMarkdown(text: string): Promise<string> {
  const options = await resolveConfig(fileURLToPath(RESULTS_FILE));
  return format(text, { ...options, parser: 'markdown' });
}

/** Prints the report, writes RESULTS.md, and fails the run if a request went unrecorded. */
async function publish(results: RunResults): Promise<void> {
  console.log(await formatMarkdown(runReport(results)));
  // The other benchmarks' sections (spend, privacy, ledger) follow this one and are theirs.
  const previous = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '';
  const starts = OTHER_SECTIONS.map((marker) => previous.indexOf(marker)).filter((at) => at >= 0);
  const others = starts.length === 0 ? '' : `\n${previous.slice(Math.min(...starts))}`;
  writeFileSync(RESULTS_FILE, await formatMarkdown(resultsFile(results) + others));
  console.error('bench: results written to bench/RESULTS.md');
  if (!recordingMatches(results.recording)) process.exitCode = 1;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const settings = readSettings();
  const { mock, gateway } = await startHelpers();
  const { concurrency } = settings;
  const targets: Targets = {
    direct: createTarget('direct', mock.ready.url, CHAT_PATH, concurrency),
    gateway: createTarget('gateway', gateway.ready.url, `/openai${CHAT_PATH}`, concurrency),
  };

  try {
    const measured = await measure(targets, settings, gateway);
    const flush = await gateway.ask('flush');
    const databasePath = gateway.ready.databasePath ?? '';
    const recording = readRecording(databasePath, targets.gateway.sent, flush.milliseconds);
    const runSeconds = (performance.now() - started) / 1000;
    const loadAverage = { start: loadAtStart, end: loadavg()[0] ?? 0 };
    const machine = describeMachine();
    const date = new Date();
    await publish({ date, machine, settings, ...measured, recording, runSeconds, loadAverage });
  } finally {
    await Promise.all([targets.direct.pool.close(), targets.gateway.pool.close()]);
    await gateway.stop();
    await mock.stop();
  }
}

await main();
