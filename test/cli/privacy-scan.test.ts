import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const CLI = new URL('../helpers/cli.ts', import.meta.url).pathname;

/** Runs `auditgate ...args` with `input` on standard input. */
function run(
  args: string[],
  input: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

describe('auditgate privacy scan', () => {
  it('reads standard input as one text and writes one JSON line per finding', async () => {
    const result = await run(['privacy', 'scan'], 'Chris Singh - chrissingh@msn.com\n');
    assert.equal(result.status, 0);
    assert.equal(
      result.stdout,
      '{"record":0,"type":"person","start":0,"end":11,"score":0.9,"detector":"person"}\n' +
        '{"record":0,"type":"email","start":14,"end":32,"score":0.99,"detector":"email"}\n',
    );
  });

  it('with --jsonl numbers records by input line and reads the regions asked for', async () => {
    const input = '{"text": "nothing here"}\n{"text": "appelez le 01 42 68 53 00"}\n';
    const result = await run(['privacy', 'scan', '--jsonl', '--regions', 'FR'], input);
    assert.equal(result.status, 0);
    assert.equal(
      result.stdout,
      '{"record":1,"type":"phone","start":11,"end":25,"score":0.95,"detector":"phone"}\n',
    );
  });

  it('refuses a line that is not {"text": ...} with status 2, without echoing it', async () => {
    const result = await run(['privacy', 'scan', '--jsonl'], '{"text": "ok"}\nSSN 078-05-1120\n');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /line 2 of standard input/);
    assert.doesNotMatch(result.stderr, /078-05-1120/);
  });
});
