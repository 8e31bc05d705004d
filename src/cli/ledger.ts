/**
 * The ledger's commands: `verify` (a store, or an evidence bundle, offline), and the commands
 * that talk to a running gateway: `ledger checkpoints|proof|bundle`, `erase`, `hold`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { parseTime, TIME_EXPECTED } from '../api/time.js';
import { loadConfig } from '../config/load.js';
import { storePath } from '../gateway/start.js';
import { verifyBundle, type BundleReport } from '../ledger/bundle.js';
import { LEDGER_KEY_FILE, readKey } from '../ledger/key.js';
import type { BundleLeftOut, EvidenceBundle } from '../ledger/types.js';
import type { Finding, LogReport } from '../ledger/verify.js';
import { verifyStoreFile, type StoreReport } from '../store/sqlite/verify.js';
import { addApiOptions } from './api-client.js';

/** Raised when verification finds a problem; the command line exits 1. */
export class VerificationFailedError extends Error {
  readonly code = 'verification_failed';

  constructor(problems: number) {
    super(`verification failed: ${problems} problem${problems === 1 ? '' : 's'} found`);
    this.name = 'VerificationFailedError';
  }
}

type VerifyOptions = { data: string; config?: string; bundle?: string; json?: boolean };
type ApiOptions = { url: string; token?: string };

/** Adds `verify`, `ledger`, `erase` and `hold` to the program. */
export function addLedgerCommands(program: Command): void {
  program
    .command('verify')
    .description('check the ledger of a stopped or running gateway, or an evidence bundle')
    .option('--data <dir>', 'data folder (store and ledger key)', './data')
    .option('--config <file>', 'YAML configuration file (store path, ledger key path)')
    .option('--bundle <file>', 'an evidence bundle to check on its own')
    .option('--json', 'the report as JSON')
    .action(async (options: VerifyOptions) => {
      const failures = options.bundle ? verifyBundleFile(options) : verifyStore(options);
      if (failures > 0) throw new VerificationFailedError(failures);
    });

  const ledger = program.command('ledger').description("a running gateway's ledger");
  addApiOptions(ledger.command('checkpoints').description('checkpoints, newest first'))
    .option('--log <id>', "a log id (default: the gateway's own)")
    .action(async (options: ApiOptions & { log?: string }) => {
      const query = options.log ? `?log=${encodeURIComponent(options.log)}` : '';
      printJson(await apiCall(options, 'GET', `/api/v1/ledger/checkpoints${query}`));
    });
  addApiOptions(ledger.command('proof').description("an event's inclusion proof"))
    .argument('<event-id>')
    .action(async (eventId: string, options: ApiOptions) => {
      printJson(
        await apiCall(options, 'GET', `/api/v1/events/${encodeURIComponent(eventId)}/proof`),
      );
    });
  addApiOptions(ledger.command('bundle').description('an evidence bundle for a time range'))
    .requiredOption('--from <time>', 'ISO 8601 time or relative (24h)')
    .requiredOption('--to <time>', 'ISO 8601 time or relative', 'now')
    .option('--out <file>', 'write the bundle here instead of standard output')
    .action(async (options: ApiOptions & { from: string; to: string; out?: string }) => {
      const from = encodeURIComponent(absoluteTime(options.from));
      const to = encodeURIComponent(absoluteTime(options.to));
      const bundle = await apiCall(options, 'GET', `/api/v1/ledger/bundle?from=${from}&to=${to}`);
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      const { logs, leftOut = [] } = bundle as EvidenceBundle;
      if (options.out) {
        writeFileSync(options.out, text);
        const events = logs.reduce((sum, log) => sum + log.events.length, 0);
        console.log(`wrote ${events} events to ${options.out}`);
      } else process.stdout.write(text);
      // Standard output may be the bundle itself: what was left out goes beside it.
      const say = options.out ? console.log : console.error;
      say(describeLeftOut(leftOut));
    });

  addApiOptions(program.command('erase').description("erase a data subject's content"))
    .requiredOption('--subject <subject>', 'user:ID')
    .requiredOption('--reason <text>', 'why (recorded in the erasure event)')
    .action(async (options: ApiOptions & { subject: string; reason: string }) => {
      const body = { subject: options.subject, reason: options.reason };
      printJson(await apiCall(options, 'POST', '/api/v1/erasures', body));
    });

  const hold = program.command('hold').description('legal holds, which refuse erasures');
  addApiOptions(hold.command('create').description('place a hold'))
    .option('--subject <subject>', 'user:ID or team:ID')
    .option('--from <time>', 'start of a time range')
    .option('--to <time>', 'end of a time range')
    .requiredOption('--reason <text>', 'why')
    .action(
      async (
        options: ApiOptions & { subject?: string; from?: string; to?: string; reason: string },
      ) => {
        const body = {
          subject: options.subject ?? null,
          from: options.from ? absoluteTime(options.from) : null,
          to: options.to ? absoluteTime(options.to) : null,
          reason: options.reason,
        };
        printJson(await apiCall(options, 'POST', '/api/v1/holds', body));
      },
    );
  addApiOptions(hold.command('list').description('holds, newest first'))
    .option('--all', 'released holds too')
    .action(async (options: ApiOptions & { all?: boolean }) => {
      printJson(await apiCall(options, 'GET', `/api/v1/holds${options.all ? '?all=true' : ''}`));
    });
  addApiOptions(hold.command('release').description('release a hold'))
    .argument('<hold-id>')
    .action(async (holdId: string, options: ApiOptions) => {
      printJson(await apiCall(options, 'DELETE', `/api/v1/holds/${encodeURIComponent(holdId)}`));
    });
}

async function apiCall(options: ApiOptions, method: string, path: string, body?: unknown) {
  if (!options.token) throw new Error('an API token is needed: --token or AUDITGATE_ADMIN_TOKEN');
  const response = await fetch(options.url.replace(/\/+$/, '') + path, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as { error?: { message?: string } };
  if (!response.ok) throw new Error(answer.error?.message ?? `the API answered ${response.status}`);
  return answer;
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** A time as the API takes it (ISO 8601, a date, or relative like `24h`), or `now`. */
function absoluteTime(value: string): string {
  if (value === 'now') return new Date().toISOString();
  const time = parseTime(value);
  if (time === null)
    throw new Error(`time: expected ${TIME_EXPECTED}, got '${value.slice(0, 64)}'`);
  return time;
}

/** `verify --data/--config`: returns the number of problems found. */
function verifyStore(options: VerifyOptions): number {
  const dataFolder = resolve(options.data);
  const config = loadConfig({ file: options.config, environment: process.env });
  const path = storePath(config, dataFolder);
  const keyFile = config.ledger.keyPath ?? join(dataFolder, LEDGER_KEY_FILE);
  const publicKey = existsSync(keyFile) ? readKey(keyFile).publicKey : null;
  if (!publicKey) {
    console.error(
      `no ledger key at ${keyFile}: checking against the public key stored with each log`,
    );
  }

  const progress = createProgress();
  const report = verifyStoreFile(path, { publicKey, onProgress: progress.update });
  progress.stop();
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else printStoreReport(report);
  return report.findings.length + report.logs.reduce((sum, log) => sum + log.findings.length, 0);
}

/** A bar on a terminal, a plain line now and then otherwise. */
function createProgress() {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: 'verifying [{bar}] {value}/{total} events',
      stream: process.stderr,
    });
    let started = false;
    return {
      update(done: number, total: number) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => (started ? bar.stop() : undefined),
    };
  }
  let lastLine = 0;
  return {
    update(done: number, total: number) {
      if (done - lastLine < 10_000 && done < total) return;
      lastLine = done;
      console.error(`verified ${done} of ${total} events`);
    },
    stop: () => undefined,
  };
}

function printStoreReport(report: StoreReport): void {
  for (const finding of report.findings) printFinding(finding);
  for (const log of report.logs) printLog(log);
  if (report.unledgered > 0) {
    console.log(`${report.unledgered} events predate the ledger (stored before it was turned on)`);
  }
}

function printLog(log: LogReport): void {
  for (const finding of log.findings) printFinding(finding);
  for (const erased of log.erased) {
    console.log(
      `erased: the content of event ${erased.eventId}, by erasure event ${erased.erasedBy}`,
    );
  }
  const checkpoint =
    log.lastCheckpointSize === null ? 'none yet' : `the last at size ${log.lastCheckpointSize}`;
  const verdict = log.findings.length === 0 ? 'ok' : count(log.findings.length, 'problem');
  console.log(
    `log ${log.logId} (${log.origin}): ${count(log.events, 'event')}, ` +
      `${count(log.checkpoints, 'checkpoint')} ` +
      `(${checkpoint}): ${verdict}`,
  );
}

function count(number: number, noun: string): string {
  return `${number} ${noun}${number === 1 ? '' : 's'}`;
}

function printFinding(finding: Finding): void {
  console.log(`${finding.problem}: ${finding.message}`);
}

/** One line on the events a bundle leaves out, or that it leaves none out. */
function describeLeftOut(leftOut: readonly BundleLeftOut[]): string {
  if (leftOut.length === 0) return 'left out: no events (every event of the range is proven)';
  const parts = leftOut.map(
    (log) =>
      `${count(log.events, 'event')} of log ${log.logId} newer than its last checkpoint ` +
      (log.checkpointSize > 0 ? `(at size ${log.checkpointSize})` : '(it has none)'),
  );
  return `left out: ${parts.join('; ')}`;
}

/** `verify --bundle`: returns the number of problems found. */
function verifyBundleFile(options: VerifyOptions & { bundle?: string }): number {
  let bundle: EvidenceBundle;
  try {
    bundle = JSON.parse(readFileSync(options.bundle ?? '', 'utf8')) as EvidenceBundle;
  } catch (error) {
    throw new Error(`bundle: expected a JSON evidence bundle, got ${(error as Error).message}`);
  }
  const report: BundleReport = verifyBundle(bundle);
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return report.findings.length;
  }
  for (const finding of report.findings) printFinding(finding);
  for (const erased of report.erased) {
    console.log(
      `erased: the content of event ${erased.eventId}, by erasure event ${erased.erasedBy}`,
    );
  }
  for (const id of report.contentAbsent) console.log(`no content in the bundle for event ${id}`);
  for (const log of report.logs) {
    console.log(
      `log ${log.logId} (${log.origin}), key id ${log.keyId}: ${log.events} events proven ` +
        `against the checkpoint at size ${log.treeSize}`,
    );
  }
  console.log(`${report.contentChecked} content records match their commitments`);
  // Not signed: what the exporting gateway says it left out, for the reader to weigh.
  if (Array.isArray(bundle.leftOut)) console.log(describeLeftOut(bundle.leftOut));
  return report.findings.length;
}
