/** Turns a run's samples into the results table and the text of bench/RESULTS.md. */
import type { Sample, TargetName, Timing } from './load.js';
import type { Machine } from './machine.js';
import type { ThroughputSample } from './phases.js';
import type { RecordingCheck } from './recording.js';
import { summarise } from './stats.js';

/** What the run was asked to do. */
export type Settings = {
  plainRequests: number;
  streamRequests: number;
  warmupRequests: number;
  rounds: number;
  seconds: number;
  concurrency: number;
};

/** Everything one run measured. */
export type RunResults = {
  date: Date;
  machine: Machine;
  settings: Settings;
  plain: Record<TargetName, Sample>;
  stream: Record<TargetName, Sample>;
  plainLoad: Record<TargetName, ThroughputSample>;
  streamLoad: Record<TargetName, ThroughputSample>;
  recording: RecordingCheck;
  runSeconds: number;
  /** The 1-minute load average at the start and the end: other work on a shared machine. */
  loadAverage: { start: number; end: number };
};

type Row = { measure: string; direct: number; gateway: number; unit: 'ms' | 'req/s' };

const total = (timing: Timing) => timing.totalMs;
const firstByte = (timing: Timing) => timing.firstByteMs;

/** Rows of p50 and p99 of one timing of a sample pair. */
function percentileRows(
  label: string,
  samples: Record<TargetName, Sample>,
  read: (timing: Timing) => number,
): Row[] {
  const direct = summarise(samples.direct.timings.map(read));
  const gateway = summarise(samples.gateway.timings.map(read));
  return [
    { measure: `${label} p50`, direct: direct.p50, gateway: gateway.p50, unit: 'ms' },
    { measure: `${label} p99`, direct: direct.p99, gateway: gateway.p99, unit: 'ms' },
  ];
}

function rate(sample: ThroughputSample): number {
  return sample.timings.length / (sample.elapsedMs / 1000);
}

function rows(results: RunResults): Row[] {
  const { plain, stream, plainLoad, streamLoad, settings } = results;
  const inFlight = `${settings.concurrency} in flight`;
  return [
    ...percentileRows('non-stream latency, 1 in flight,', plain, total),
    ...percentileRows('stream first byte (TTFT), 1 in flight,', stream, firstByte),
    ...percentileRows('stream total, 1 in flight,', stream, total),
    {
      measure: `non-stream throughput, ${inFlight}`,
      direct: rate(plainLoad.direct),
      gateway: rate(plainLoad.gateway),
      unit: 'req/s',
    },
    ...percentileRows(`non-stream latency, ${inFlight},`, plainLoad, total),
    {
      measure: `stream throughput, ${inFlight}`,
      direct: rate(streamLoad.direct),
      gateway: rate(streamLoad.gateway),
      unit: 'req/s',
    },
    ...percentileRows(`stream first byte, ${inFlight},`, streamLoad, firstByte),
  ];
}

function formatValue(value: number, unit: Row['unit']): string {
  if (!Number.isFinite(value)) return 'n/a';
  return unit === 'req/s' ? value.toFixed(0) : value.toFixed(2);
}

function formatRow(row: Row): string {
  const added = row.gateway - row.direct;
  const sign = added >= 0 ? '+' : '−';
  const cells = [
    `${row.measure} (${row.unit})`,
    formatValue(row.direct, row.unit),
    formatValue(row.gateway, row.unit),
    `${sign}${formatValue(Math.abs(added), row.unit)}`,
    (row.gateway / row.direct).toFixed(2),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The results table in Markdown. */
export function resultsTable(results: RunResults): string {
  return [
    '| measure | direct | gateway | gateway − direct | gateway / direct |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows(results).map(formatRow),
  ].join('\n');
}
