import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { scan } from '../privacy/scan.js';
import type { ScanOptions } from '../privacy/types.js';
import { addApiOptions, callApi, type ApiOptions } from './api-client.js';

/** A `--jsonl` line that is not `{"text": "..."}`; its content is never echoed. */
export class ScanInputError extends Error {
  readonly code = 'invalid_scan_input';

  constructor(line: number) {
    super(`line ${line} of standard input: expected a JSON object with a string "text"`);
    this.name = 'ScanInputError';
  }
}

type PrivacyScanOptions = { jsonl?: boolean; regions?: string[]; names?: boolean };

/** Adds `privacy scan` and `privacy recover` to the command line. */
export function addPrivacyCommands(program: Command): void {
  const privacy = program.command('privacy').description('PII and secret detection');
  addApiOptions(
    privacy
      .command('recover')
      .description(
        'an event with its encrypted values decrypted (admin; recorded as an access event)',
      ),
  )
    .argument('<event-id>')
    .action(async (eventId: string, options: ApiOptions) => {
      const path = `/api/v1/events/${encodeURIComponent(eventId)}/recover`;
      process.stdout.write(`${JSON.stringify(await callApi(options, 'POST', path), null, 2)}\n`);
    });
  privacy
    .command('scan')
    .description('find PII and secrets in standard input; one JSON line per finding')
    .option('--jsonl', 'read one {"text": ...} object per line')
    .option('--regions <list>', 'regions for phone numbers, comma-separated (default US,GB)', list)
    .option('--no-names', 'leave person names out')
    .action(privacyScan);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim().toUpperCase())
    .filter((item) => item.length > 0);
}

/**
 * Scans standard input as one text (record 0), or with `--jsonl` one record per line, and
 * writes each finding as `{"record", "type", "start", "end", "score", "detector"}`.
 */
export async function privacyScan(options: PrivacyScanOptions): Promise<void> {
  const scanOptions: ScanOptions = { names: options.names !== false };
  if (options.regions) scanOptions.regions = options.regions;
  if (!options.jsonl) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    write(0, text, scanOptions);
    return;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let record = 0;
  for await (const line of lines) {
    record += 1;
    if (line.trim() === '') continue;
    write(record - 1, textOf(line, record), scanOptions);
  }
}

function textOf(line: string, number: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new ScanInputError(number);
  }
  const text = (parsed as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') throw new ScanInputError(number);
  return text;
}

function write(record: number, text: string, options: ScanOptions): void {
  let out = '';
  for (const finding of scan(text, options)) out += `${JSON.stringify({ record, ...finding })}\n`;
  if (out) process.stdout.write(out);
}
