/**
 * `npm run bench:privacy`: the detectors over the PII evaluation set
 * (test/fixtures/pii/synth_dataset_v2.json), scored by overlap as it prints; prints the figures and
 * writes them as a section of bench/RESULTS.md, keeping the rest of that file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../src/event/types.js';
import { ephemeralSettings, type ProtectionSettings } from '../src/privacy/protect.js';
import { scan } from '../src/privacy/scan.js';
import { openSqliteWorkerStore } from '../src/store/sqlite/worker-store.js';
import { EventWriter } from '../src/store/writer.js';
import { makeEvent } from '../test/helpers/events.js';
import type { Finding } from '../src/privacy/types.js';
import { describeMachine } from './machine.js';
import { summarise } from './stats.js';

type Span = { entity_type: string; start_position: number; end_position: number };
type Sample = { full_text: string; spans: Span[] };

const DATASET = new URL('../test/fixtures/pii/synth_dataset_v2.json', import.meta.url);
const RESULTS_FILE = new URL('./RESULTS.md', import.meta.url);
const SECTION_START = '<!-- privacy-bench -->';
const SECTION_END = '<!-- /privacy-bench -->';

/** The labels that are PII; every other label (places, organisations, dates, titles) is neutral. */
const PII_LABELS = [
  'PERSON',
  'STREET_ADDRESS',
  'CREDIT_CARD',
  'PHONE_NUMBER',
  'EMAIL_ADDRESS',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
  'US_DRIVER_LICENSE',
];
const GOALS: Record<string, number> = {
  CREDIT_CARD: 0.98,
  US_SSN: 0.98,
  IBAN_CODE: 0.98,
  EMAIL_ADDRESS: 0.98,
  IP_ADDRESS: 0.98,
};
/**
 * Regions for phone numbers: the default configuration's. The set's numbers come from many
 * locales; those of other regions are still found by their format and context words, only
 * not validated (each region added costs a libphonenumber-js parse per candidate).
 */
const REGIONS = ['US', 'GB'];

const SCORING = `Scoring: the PII labels are ${PII_LABELS.join(', ')}. A label counts as
found when any finding (of any type) overlaps it; a finding that overlaps a PII label is right, one that
overlaps no label is wrong, and one that overlaps only other labels (organisations, places,
dates, titles) counts neither way. Recall = labels found / labels; precision = right findings /
(right + wrong); F2 = 5PR / (4P + R). Names on; regions ${REGIONS.join(', ')}.`;

function overlaps(finding: Finding, span: Span): boolean {
  return finding.start < span.end_position && span.start_position < finding.end;
}

type Score = {
  perLabel: Map<string, { found: number; total: number }>;
  right: number;
  wrong: number;
};

function score(samples: Sample[], findings: Finding[][]): Score {
  const perLabel = new Map(PII_LABELS.map((label) => [label, { found: 0, total: 0 }]));
  let right = 0;
  let wrong = 0;
  samples.forEach((sample, index) => {
    const found = findings[index] ?? [];
    for (const span of sample.spans) {
      const counts = perLabel.get(span.entity_type);
      if (!counts) continue;
      counts.total += 1;
      if (found.some((finding) => overlaps(finding, span))) counts.found += 1;
    }
    for (const finding of found) {
      const touched = sample.spans.filter((span) => overlaps(finding, span));
      if (touched.some((span) => PII_LABELS.includes(span.entity_type))) right += 1;
      else if (touched.length === 0) wrong += 1;
    }
  });
  return { perLabel, right, wrong };
}

/** Prompts of about 4 KB, built by joining samples, for the per-prompt latency. */
function prompts(samples: Sample[], count: number): string[] {
  const built: string[] = [];
  let index = 0;
  for (let prompt = 0; prompt < count; prompt += 1) {
    let text = '';
    while (Buffer.byteLength(text) < 4096) {
      text += `${samples[index % samples.length]?.full_text ?? ''}\n`;
      index += 1;
    }
    built.push(text);
  }
  return built;
}

/** Chat events whose prompt and answer are samples of the set, about 1 KB of content each. */
function storeEvents(samples: Sample[], count: number): AuditEvent[] {
  return Array.from({ length: count }, (_, index) => {
    // The ticket number makes every prompt a text not seen before, so the cache never helps.
    let prompt = `Ticket ${index}. `;
    for (let offset = 0; Buffer.byteLength(prompt) < 800; offset += 1) {
      prompt += `${samples[(index * 7 + offset) % samples.length]?.full_text ?? ''}\n`;
    }
    const answer = `Ticket ${index}: ${samples[(index * 13) % samples.length]?.full_text ?? ''}`;
    return makeEvent({
      request: { messages: [{ role: 'user', parts: [{ type: 'text', content: prompt }] }] },
      response: {
        output: [
          { role: 'assistant', finishReason: 'stop', parts: [{ type: 'text', content: answer }] },
        ],
      },
    });
  });
}

/**
 * Chat events of 10-turn conversations, each call resending the history before its new
 * question, as chat clients do: the later calls' content is mostly text seen before.
 */
function conversationEvents(samples: Sample[], conversations: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let next = 0;
  const sample = () => samples[next++ % samples.length]?.full_text ?? '';
  for (let conversation = 0; conversation < conversations; conversation += 1) {
    const history: { role: string; parts: { type: 'text'; content: string }[] }[] = [];
    for (let turn = 0; turn < 10; turn += 1) {
      history.push({ role: 'user', parts: [{ type: 'text', content: `${sample()} ${sample()}` }] });
      const answer = sample();
      events.push(
        makeEvent({
          request: { messages: history.map((message) => ({ ...message })) },
          response: {
            output: [
              {
                role: 'assistant',
                finishReason: 'stop',
                parts: [{ type: 'text', content: answer }],
              },
            ],
          },
        }),
      );
      history.push({ role: 'assistant', parts: [{ type: 'text', content: answer }] });
    }
  }
  return events;
}

/** Events per second from `record` to stored (SQLite on its worker thread) through the gate. */
async function storeRate(events: AuditEvent[], settings: ProtectionSettings): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-privacy-bench-'));
  const store = await openSqliteWorkerStore(join(folder, 'auditgate.db'));
  const writer = new EventWriter(store, { privacy: settings });
  try {
    const started = performance.now();
    for (const event of events) writer.record(event);
    await writer.flush();
    return events.length / ((performance.now() - started) / 1000);
  } finally {
    await writer.close();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const samples = JSON.parse(readFileSync(DATASET, 'utf8')) as Sample[];
  const bytes = samples.reduce((sum, sample) => sum + Buffer.byteLength(sample.full_text), 0);
  const loadAtStart = loadavg()[0] ?? 0;

  // Warm up: the lexicon loads and the regular expressions compile on first use.
  for (const sample of samples.slice(0, 200)) scan(sample.full_text, { regions: REGIONS });

  const started = performance.now();
  const findings = samples.map((sample) => scan(sample.full_text, { regions: REGIONS }));
  const elapsedMs = performance.now() - started;
  let passes = 1;
  let totalMs = elapsedMs;
  while (totalMs < 3000) {
    const again = performance.now();
    for (const sample of samples) scan(sample.full_text, { regions: REGIONS });
    totalMs += performance.now() - again;
    passes += 1;
  }
  const kbPerSecond = (bytes * passes) / 1024 / (totalMs / 1000);

  const promptTimes = prompts(samples, 300).map((text) => {
    const start = performance.now();
    scan(text, { regions: REGIONS });
    return performance.now() - start;
  });
  const { p50, p99 } = summarise(promptTimes);

  // Into the store: the gate with every detector, and the same gate detecting nothing.
  const events = storeEvents(samples, 4000);
  const withoutDetection = { ...ephemeralSettings(), scan: { types: [] } };
  await storeRate(events.slice(0, 500), ephemeralSettings());
  const plainRate = await storeRate(events, withoutDetection);
  const maskedRate = await storeRate(events, ephemeralSettings());
  const conversation = conversationEvents(samples, 200);
  const conversationBytes = conversation.reduce(
    (sum, event) => sum + Buffer.byteLength(JSON.stringify(event.request?.messages ?? [])),
    0,
  );
  const conversationRate = await storeRate(conversation, ephemeralSettings());

  const { perLabel, right, wrong } = score(samples, findings);
  let found = 0;
  let total = 0;
  const rows = PII_LABELS.map((label) => {
    const counts = perLabel.get(label) ?? { found: 0, total: 0 };
    found += counts.found;
    total += counts.total;
    const recall = counts.total === 0 ? 1 : counts.found / counts.total;
    const goal = GOALS[label];
    const verdict = goal === undefined ? '' : recall >= goal ? `≥ ${goal} met` : `< ${goal} MISSED`;
    return `| ${label} | ${counts.found} / ${counts.total} | ${recall.toFixed(3)} | ${verdict} |`;
  });
  const recall = found / total;
  const precision = right / (right + wrong);
  const f2 = (5 * precision * recall) / (4 * precision + recall);
  const msPerKb = totalMs / ((bytes * passes) / 1024);
  const machine = describeMachine();

  const section = [
    SECTION_START,
    '',
    '# Privacy detectors benchmark',
    '',
    'Latest run of `npm run bench:privacy` (bench/privacy.bench.ts); each run replaces this',
    'section and keeps the rest of the file.',
    '',
    `- date: ${new Date().toISOString()}; set: test/fixtures/pii/synth_dataset_v2.json, ` +
      `${samples.length} samples, ${(bytes / 1024).toFixed(1)} KB`,
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores; ` +
      `memory ${machine.memoryGiB.toFixed(1)} GiB`,
    `- Node ${machine.node} on ${machine.system}; 1-minute load average ${loadAtStart.toFixed(2)} ` +
      'at the start (other work on the machine)',
    '',
    '| label | found | recall | goal |',
    '| --- | ---: | ---: | --- |',
    ...rows,
    '',
    `- overall recall ${recall.toFixed(3)} (${found} / ${total}), precision ` +
      `${precision.toFixed(3)} (${right} right, ${wrong} wrong), **F2 ${f2.toFixed(3)}** ` +
      `(goal 0.85; Presidio about 0.62)`,
    `- throughput ${kbPerSecond.toFixed(0)} KB/s on one thread (${msPerKb.toFixed(2)} ms per KB, ` +
      `${(80 / msPerKb).toFixed(0)}× Presidio's 80 ms per KB; goal 20×), ${passes} passes`,
    `- a 4 KB prompt: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (300 prompts)`,
    `- into the store (EventWriter to SQLite, ${events.length} events of about 1 KB of ` +
      `content): ${maskedRate.toFixed(0)} events/s with masking, ${plainRate.toFixed(0)} ` +
      `events/s with the gate detecting nothing`,
    `- 10-turn conversations (${conversation.length} events, each resending its history: ` +
      `${(conversationBytes / conversation.length / 1024).toFixed(1)} KB of messages on ` +
      `average): ${conversationRate.toFixed(0)} events/s with masking, the findings of ` +
      'text seen before taken from the cache',
    '',
    SCORING.replace(/\n/g, ' '),
    '',
    SECTION_END,
  ].join('\n');

  const options = await resolveConfig(fileURLToPath(RESULTS_FILE));
  const formatted = await format(section, { ...options, parser: 'markdown' });
  console.log(formatted);
  const existing = readFileSync(RESULTS_FILE, 'utf8');
  const from = existing.indexOf(SECTION_START);
  const to = existing.indexOf(SECTION_END);
  const next =
    from >= 0 && to > from
      ? existing.slice(0, from) + formatted.trimEnd() + existing.slice(to + SECTION_END.length)
      : `${existing.trimEnd()}\n\n${formatted}`;
  writeFileSync(RESULTS_FILE, next.endsWith('\n') ? next : `${next}\n`);
  console.error('bench: privacy results written to bench/RESULTS.md');
}

await main();
