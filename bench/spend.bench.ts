/**
 * How fast `GET /api/v1/spend` is answered over a million events: loads a million events'
 * aggregates into the hourly rollup through the same code the append transaction runs, then
 * times the spend queries the API makes. Writes its figures into a section of bench/RESULTS.md.
 * Run with `npm run bench:spend` (EVENTS=100000 for a shorter run).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../src/event/types.js';
import { migrate } from '../src/store/sqlite/migrations.js';
import { prepareSpendRollup } from '../src/store/sqlite/spend.js';
import type { SpendQuery } from '../src/store/types.js';
import { describeMachine } from './machine.js';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const DAYS = 30;
const TEAMS = 20;
const USERS_PER_TEAM = 10;
const APPS_PER_TEAM = 3;
const MODELS = [
  'gpt-4.1-nano',
  'gpt-5-mini',
  'gpt-5-nano',
  'claude-sonnet-4-5',
  'claude-haiku-4-5',
];
const MODELS_PROVIDER = ['openai', 'openai', 'openai', 'anthropic', 'anthropic'];
const BATCH = 5000;
const RUNS = 20;

/** A fixed pseudo-random sequence, so that every run loads the same events. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function syntheticEvent(random: () => number, now: number): AuditEvent {
  const team = Math.floor(random() * TEAMS);
  const user = `user-${team}-${Math.floor(random() * USERS_PER_TEAM)}`;
  const model = Math.floor(random() * MODELS.length);
  const time = new Date(now - Math.floor(random() * DAYS * 86_400_000)).toISOString();
  const input = 200 + Math.floor(random() * 4000);
  const output = 20 + Math.floor(random() * 800);
  const unknown = random() < 0.01;
  // Only the fields the rollup reads are filled.
  return {
    time,
    identity: { keyId: null, keyFingerprint: `sha256:key-of-${user}`, teamId: null },
    attribution: {
      teamId: `team-${team}`,
      businessUnit: `bu-${team % 4}`,
      project: `project-${team % 7}`,
      appId: `app-${team}-${Math.floor(random() * APPS_PER_TEAM)}`,
      agentId: null,
      userId: user,
      tags: {},
    },
    request: { provider: MODELS_PROVIDER[model], model: MODELS[model] },
    response: null,
    usage: {
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    cost: { amountUsd: unknown ? null : (input * 0.25 + output * 2) / 1e6 },
  } as unknown as AuditEvent;
}

function load(database: Database.Database, now: number): { seconds: number; rows: number } {
  const rollup = prepareSpendRollup(database);
  const random = generator(8);
  const addBatch = database.transaction((events: AuditEvent[]) => {
    for (const event of events) rollup.add(event);
  });
  const started = performance.now();
  for (let done = 0; done < EVENTS; done += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, EVENTS - done) }, () =>
      syntheticEvent(random, now),
    );
    addBatch(events);
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = database.prepare<[], { rows: number }>('SELECT COUNT(*) AS rows FROM spend_hourly');
  return { seconds, rows: rows.get()?.rows ?? 0 };
}

function time(
  database: Database.Database,
  query: SpendQuery,
): { p50: number; max: number; groups: number } {
  const rollup = prepareSpendRollup(database);
  const timings: number[] = [];
  let groups = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    groups = rollup.query(query).length;
    timings.push(performance.now() - started);
  }
  timings.sort((left, right) => left - right);
  return { p50: timings[Math.floor(RUNS / 2)] ?? 0, max: timings.at(-1) ?? 0, groups };
}

const loadAtStart = os.loadavg()[0] ?? 0;

function main(): void {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-spend-bench-'));
  const database = new Database(join(folder, 'spend.db'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  migrate(database);
  const now = Date.now();
  const iso = (ago: number) => new Date(now - ago).toISOString();

  const loaded = load(database, now);
  console.log(
    `loaded ${EVENTS} events into ${loaded.rows} rollup rows in ${loaded.seconds.toFixed(1)} s`,
  );
  const cases: [string, SpendQuery][] = [
    [
      'team, model; by day; last 24 h',
      { groupBy: ['team', 'model'], bucket: 'day', from: iso(86_400_000), to: iso(0) },
    ],
    [
      'team, model; by day; last 30 days',
      { groupBy: ['team', 'model'], bucket: 'day', from: iso(DAYS * 86_400_000), to: iso(0) },
    ],
    [
      'user; whole range; last 30 days',
      { groupBy: ['user'], bucket: 'none', from: iso(DAYS * 86_400_000), to: iso(0) },
    ],
    [
      'one team (budget restore); this month',
      {
        groupBy: ['team'],
        bucket: 'none',
        from: iso(DAYS * 86_400_000),
        where: { team: 'team-3' },
      },
    ],
  ];
  const results = cases.map(([label, query]) => ({ label, ...time(database, query) }));
  for (const result of results) {
    console.log(
      `${result.label}: p50 ${result.p50.toFixed(1)} ms, max ${result.max.toFixed(1)} ms, ${result.groups} groups`,
    );
  }
  database.close();
  rmSync(folder, { recursive: true, force: true });
  writeSection(loaded, results);
}

const START = '<!-- spend bench: written by npm run bench:spend -->';
const END = '<!-- end of spend bench -->';

function writeSection(
  loaded: { seconds: number; rows: number },
  results: { label: string; p50: number; max: number; groups: number }[],
): void {
  const machine = describeMachine();
  const lines = [
    START,
    '## Spend query (`npm run bench:spend`)',
    '',
    `- date: ${new Date().toISOString()}; CPU: ${machine.cpuModel}, ${machine.cores} cores; ` +
      `Node ${machine.node} on ${machine.system}`,
    `- ${EVENTS} synthetic events over ${DAYS} days (${TEAMS} teams, ${TEAMS * USERS_PER_TEAM} ` +
      `users, ${MODELS.length} models, 1% without a price) added to the hourly and daily rollups in ` +
      `${loaded.seconds.toFixed(1)} s, through the code the append transaction runs; ` +
      `${loaded.rows} hourly rows`,
    `- each query run ${RUNS} times on the loaded file (SQLite, WAL), as \`GET /api/v1/spend\` runs it`,
    `- 1-minute load average: ${loadAtStart.toFixed(2)} at the start, ` +
      `${(os.loadavg()[0] ?? 0).toFixed(2)} at the end (other work on the machine)`,
    '',
    '| query | groups | p50 (ms) | max (ms) |',
    '| --- | ---: | ---: | ---: |',
    ...results.map(
      (result) =>
        `| ${result.label} | ${result.groups} | ${result.p50.toFixed(1)} | ${result.max.toFixed(1)} |`,
    ),
    END,
  ];
  const path = new URL('./RESULTS.md', import.meta.url);
  const current = readFileSync(path, 'utf8');
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const before = start >= 0 && end > start ? current.slice(0, start) : `${current.trimEnd()}\n\n`;
  const after = start >= 0 && end > start ? current.slice(end + END.length) : '\n';
  writeFileSync(path, `${before}${lines.join('\n')}${after}`);
}

main();
