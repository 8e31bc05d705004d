import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const CLI = new URL('../helpers/cli.ts', import.meta.url).pathname;

/** Runs the command line to its end; resolves with its exit status and output. */
function runCli(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

describe('auditgate keys and tokens', () => {
  let gateway: TestGateway;
  let api: string[];

  before(async () => {
    gateway = await startTestGateway();
    api = ['--url', gateway.url, '--token', gateway.adminToken];
  });
  after(() => gateway.stop());

  it('creates a key shown once, lists it, and revokes it for the next call', async () => {
    const created = await runCli([
      'keys',
      'create',
      ...api,
      '--team',
      'team-radiology',
      '--app',
      'app-reports',
      '--actor',
      'service',
      '--business-unit',
      'bu-clinical',
      '--models',
      'gpt-4.1-nano, gpt-4o',
      '--expires',
      '2099-01-01',
    ]);
    assert.equal(created.status, 0, created.stderr);
    const key = /^ {2}(agk_\S+)$/m.exec(created.stdout)?.[1] ?? '';
    assert.match(key, /^agk_[A-Za-z0-9_-]{43}$/);
    const id = /^(\S+) {2}active/m.exec(created.stdout)?.[1] ?? '';
    assert.match(
      created.stdout,
      /active {2}team=team-radiology {2}app=app-reports {2}actor=service {2}business-unit=bu-clinical {2}models=gpt-4\.1-nano,gpt-4o {2}expires=2099-01-01T00:00:00\.000Z/,
    );

    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
    const ask = () =>
      openai.chat.completions
        .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] })
        .withResponse();
    const { response } = await ask();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.identity.keyId, id);
    assert.equal(event.attribution.businessUnit, 'bu-clinical');

    const listed = await runCli(['keys', 'list', ...api]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(listed.stdout.startsWith(`${id}  active  team=team-radiology`), listed.stdout);
    assert.ok(!listed.stdout.includes(key), 'the list shows the key text');

    const revoked = await runCli(['keys', 'revoke', id, ...api]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`^${id} {2}revoked 20`));

    const refused = await ask().then(
      () => assert.fail('the revoked key was accepted'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof OpenAI.AuthenticationError, String(refused));
  });

  it('creates a viewer token that reads only its team, lists it and revokes it', async () => {
    const created = await runCli([
      'tokens',
      'create',
      ...api,
      '--name',
      'dr grey',
      '--role',
      'viewer',
      '--teams',
      'team-a,team-b',
    ]);
    assert.equal(created.status, 0, created.stderr);
    const token = /^ {2}(agt_\S+)$/m.exec(created.stdout)?.[1] ?? '';
    const id = /^(\S+) {2}active {2}role=viewer {2}teams=team-a,team-b {2}name=dr grey$/m.exec(
      created.stdout,
    )?.[1];
    assert.ok(id, created.stdout);

    const asViewer = await runCli(['keys', 'list', '--url', gateway.url, '--token', token]);
    assert.equal(asViewer.status, 1);
    assert.match(
      asViewer.stderr,
      /role: GET \/api\/v1\/keys takes admin or auditor or operator, got viewer/,
    );

    const listed = await runCli(['tokens', 'list', ...api]);
    assert.ok(listed.stdout.startsWith(`${id}  active  role=viewer`), listed.stdout);
    const revoked = await runCli(['tokens', 'revoke', id, ...api]);
    assert.match(revoked.stdout, new RegExp(`^${id} {2}revoked 20`));
  });

  it('fails with the API message for an unknown id, and exit 2 without --team', async () => {
    const unknown = await runCli(['keys', 'revoke', 'no-such-key', ...api]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no key has the id 'no-such-key'/);

    const usage = await runCli(['keys', 'create', ...api, '--app', 'app-reports']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--team <team>/);
  });
});
