/** The text of bench/RESULTS.md: the table, the checks beside it, the machine and the method. */
import type { Sample, TargetName } from './load.js';
import type { ThroughputSample } from './phases.js';
import type { RecordingCheck } from './recording.js';
import { resultsTable, type RunResults } from './report.js';
import { summarise } from './stats.js';

/** Whether every request sent through the gateway became exactly one `llm.call` event. */
export function recordingMatches(check: RecordingCheck): boolean {
  return check.llmCalls === check.sent && check.otherEvents === 0 && check.journalLeft === 0;
}

function recordingSection(check: RecordingCheck): string {
  const verdict = recordingMatches(check)
    ? 'every request was recorded once'
    : `MISMATCH: ${check.sent - check.llmCalls} requests without an llm.call event`;
  const outcomes = Object.entries(check.byOutcome)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');
  const overhead = summarise(check.plainOverheadMs);
  return [
    `- requests sent through the gateway: ${check.sent}`,
    `- llm.call events in the store: ${check.llmCalls} (${check.streamed} streamed); ` +
      `other events: ${check.otherEvents} → ${verdict}`,
    `- outcomes: ${outcomes || 'none'}`,
    `- journal rows left unfinished: ${check.journalLeft}`,
    `- final flush of the event writer took ${check.flushMs.toFixed(1)} ms`,
    `- the gateway's own recorded overheadMs, non-stream calls: ` +
      `p50 ${overhead.p50.toFixed(2)} ms, p99 ${overhead.p99.toFixed(2)} ms`,
  ].join('\n');
}

function cpuLine(label: string, sample: ThroughputSample): string {
  const requests = sample.timings.length + [...sample.errors.values()].reduce((a, b) => a + b, 0);
  const perRequest = sample.gatewayCpuMicroseconds / 1000 / requests;
  const share = (100 * sample.gatewayCpuMicroseconds) / 1000 / sample.elapsedMs;
  return (
    `- ${label}: ${perRequest.toFixed(3)} ms of gateway CPU per request; ` +
    `the gateway process used ${share.toFixed(0)}% of one core`
  );
}

function errorsSection(results: RunResults): string {
  const phases: [string, Record<TargetName, Sample>][] = [
    ['non-stream, 1 in flight', results.plain],
    ['stream, 1 in flight', results.stream],
    ['non-stream, closed loop', results.plainLoad],
    ['stream, closed loop', results.streamLoad],
  ];
  const lines: string[] = [];
  for (const [phase, samples] of phases) {
    for (const name of ['direct', 'gateway'] as const) {
      for (const [reason, count] of samples[name].errors)
        lines.push(`- ${phase}, ${name}: ${count} × ${reason}`);
    }
  }
  return lines.length > 0 ? lines.join('\n') : '- none in any phase';
}

/** The report printed after a run: table, CPU, errors and the recording check. */
export function runReport(results: RunResults): string {
  return [
    resultsTable(results),
    '',
    '**Gateway CPU under load** (closed loop, gateway rounds only)',
    '',
    cpuLine('non-stream', results.plainLoad.gateway),
    cpuLine('stream', results.streamLoad.gateway),
    '',
    '**Request errors**',
    '',
    errorsSection(results),
    '',
    '**Recording check**',
    '',
    recordingSection(results.recording),
  ].join('\n');
}

function machineSection(results: RunResults): string {
  const { machine, settings } = results;
  return [
    `- date: ${results.date.toISOString()}, whole run ${results.runSeconds.toFixed(0)} s`,
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores; ` +
      `memory ${machine.memoryGiB.toFixed(1)} GiB`,
    `- Node ${machine.node} on ${machine.system}`,
    `- 1-minute load average: ${results.loadAverage.start.toFixed(2)} at the start, ` +
      `${results.loadAverage.end.toFixed(2)} at the end (other work on the machine)`,
    `- settings: ${settings.plainRequests} non-stream and ${settings.streamRequests} stream ` +
      `requests per target at 1 in flight, in ${settings.rounds} rounds; ` +
      `${settings.seconds} s per target and kind at ${settings.concurrency} in flight; ` +
      `${settings.warmupRequests} warm-up requests per target and kind`,
  ].join('\n');
}

const METHOD = `Three processes share the machine: a mock OpenAI upstream (node:http, answering the
recorded completion \`openai-text\` at once, or its recorded chunks as SSE with the first event
written alone and the rest in three writes on the next turn, no delays), the gateway (its own
process, one \`openai\` provider pointed at the mock, SQLite store in a temporary folder, silent
logger), and this load generator (undici Pool, keep-alive). "direct" sends to the mock, "gateway"
sends the same requests through the gateway; the two alternate in rounds within one run, the
first target changing each round, so drift on this shared machine falls on both. Latency is
measured one request in flight, from sending to the last body byte; stream "first byte" is to the
first body byte. Throughput is a closed loop: each worker sends its next request when the last
ends, for one-second rounds. The stream requests carry no \`stream_options\`, so the gateway's
default rewrite for \`openai\` (ask for usage, withhold the usage chunk) is part of what is
measured. Gateway CPU is the gateway process's user and system time over its closed-loop rounds;
it can pass 100% of one core, since V8 and libuv have helper threads. Percentiles are nearest-rank
over all samples. Compare ratios, not absolute figures,
between machines. After the load the gateway flushes its writer and the store is counted.`;

/** The whole of bench/RESULTS.md. */
export function resultsFile(results: RunResults): string {
  return [
    '# Gateway benchmark',
    '',
    'Latest run of `npm run bench`; each run overwrites this file.',
    '',
    machineSection(results),
    '',
    runReport(results),
    '',
    '## Method',
    '',
    METHOD.replace(/\n/g, ' '),
    '',
  ].join('\n');
}
