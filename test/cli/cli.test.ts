import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const CLI = new URL('../helpers/cli.ts', import.meta.url).pathname;

function runCli(args: string[], environment: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a command to its end; resolves with its exit status and output. */
function finish(child: ChildProcess): Promise<{ status: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

/** Starts `auditgate start` and resolves with what it printed once it is listening. */
async function startUntilListening(
  args: string[],
): Promise<{ child: ChildProcess; output: string }> {
  const child = runCli(['start', '--port', '0', ...args]);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('data folder:')) setTimeout(resolve, 100);
    });
    child.on('close', (status) => reject(new Error(`exited ${status}: ${output}`)));
  });
  return { child, output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.kill('SIGTERM');
  return closed;
}

describe('the command line', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-cli-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('prints a generated admin token once, and keeps it for the next start', async () => {
    const data = join(folder, 'data');
    const first = await startUntilListening(['--data', data, '--simulate']);
    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    assert.match(token, /^agt_/);
    assert.ok(first.output.includes(token), 'the first start prints the token');
    assert.equal(await stop(first.child), 0);

    const second = await startUntilListening(['--data', data]);
    assert.ok(!second.output.includes(token), 'a later start does not print it again');
    assert.equal(readFileSync(join(data, 'admin-token'), 'utf8').trim(), token);
    await stop(second.child);
  });

  it('refuses a bad configuration with exit status 2, naming each key', async () => {
    const configFile = join(folder, 'bad.yaml');
    writeFileSync(configFile, 'providers:\n  openai: { type: openai, baseUrl: nope }\nlimts: {}\n');
    const { status, output } = await finish(
      runCli(['start', '--port', '0', '--data', join(folder, 'bad'), '--config', configFile]),
    );
    assert.equal(status, 2);
    assert.match(output, /providers\.openai\.baseUrl: invalid url, got "nope"/);
    assert.match(output, /limts: unknown key/);
  });

  it('exits with status 1 on a port in use, keeping no token it never showed', async () => {
    const running = await startUntilListening(['--data', join(folder, 'first'), '--simulate']);
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(running.output)?.[1] ?? '';
    const data = join(folder, 'second');
    const second = await finish(runCli(['start', '--port', port, '--data', data]));
    await stop(running.child);
    assert.equal(second.status, 1);
    assert.match(second.output, /EADDRINUSE/);
    assert.equal(existsSync(join(data, 'admin-token')), false);
  });

  it('answers bad usage with exit status 2', async () => {
    assert.equal((await finish(runCli(['start', '--port', 'many']))).status, 2);
    assert.equal((await finish(runCli(['no-such-command']))).status, 2);
  });

  it('lists events from a running gateway', async () => {
    const data = join(folder, 'events');
    const { child, output } = await startUntilListening(['--data', data, '--simulate']);
    const url = /listening on (\S+)/.exec(output)?.[1] ?? '';
    const call = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await call.arrayBuffer();
    const eventId = call.headers.get('x-auditgate-event-id') ?? '';
    await new Promise((resolve) => setTimeout(resolve, 200));

    const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
    const listed = await finish(runCli(['events', '--url', url, '--token', token]));
    await stop(child);
    assert.equal(listed.status, 0, listed.output);
    assert.match(
      listed.output,
      new RegExp(`${eventId}\\s+llm\\.call\\s+openai\\s+gpt-4\\.1-nano-2025-04-14`),
    );
    assert.match(listed.output, /16 in \/ 363 out/);

    const refused = await finish(runCli(['events', '--url', url], {}));
    assert.equal(refused.status, 1);
    assert.match(refused.output, /API token is needed/);
  });
});
