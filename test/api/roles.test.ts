import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

type Answer = { status: number; body: Record<string, unknown> };

const ROLE_NAMES = ['admin', 'auditor', 'operator', 'viewer'] as const;

describe('roles on the API', () => {
  let gateway: TestGateway;
  /** Each role's token; `admin` is the quick start's admin token. */
  const tokens: Record<string, string> = {};
  let eventOfTeamA = '';
  let eventOfTeamB = '';

  async function call(token: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${gateway.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function created(answer: Promise<Answer>): Promise<Record<string, unknown>> {
    const { status, body } = await answer;
    assert.equal(status, 201, JSON.stringify(body));
    return body;
  }

  /** One call through the simulator with a key of `team`; returns its event id. */
  async function callAsTeam(team: string): Promise<string> {
    const key = await created(
      call(gateway.adminToken, 'POST', '/keys', { teamId: team, appId: 'app' }),
    );
    const openai = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: String(key.key),
      maxRetries: 0,
    });
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    return event.id;
  }

  before(async () => {
    gateway = await startTestGateway();
    tokens.admin = gateway.adminToken;
    for (const [role, teams] of [
      ['auditor', undefined],
      ['operator', undefined],
      ['viewer', ['team-a']],
    ] as const) {
      const body = { name: `a ${role}`, role, ...(teams ? { teams } : {}) };
      tokens[role] = String(
        (await created(call(gateway.adminToken, 'POST', '/tokens', body))).token,
      );
    }
    eventOfTeamA = await callAsTeam('team-a');
    eventOfTeamB = await callAsTeam('team-b');
  });
  after(() => gateway.stop());

  it('lets each role call exactly the routes it may', async () => {
    const newKey = { teamId: 'team-c', appId: 'app' };
    const newToken = { name: 'another auditor', role: 'auditor' };
    // Statuses for admin, auditor, operator, viewer, written out by hand.
    const expected: [string, string, unknown, number[]][] = [
      ['GET', '/events', undefined, [200, 200, 200, 200]],
      ['GET', `/events/${eventOfTeamA}`, undefined, [200, 200, 200, 200]],
      ['GET', `/events/${eventOfTeamB}`, undefined, [200, 200, 200, 404]],
      ['GET', '/health', undefined, [200, 200, 200, 200]],
      ['GET', '/spend', undefined, [200, 200, 200, 200]],
      ['GET', '/keys', undefined, [200, 200, 200, 403]],
      ['POST', '/keys', newKey, [201, 403, 403, 403]],
      ['DELETE', '/keys/no-such-key', undefined, [404, 403, 403, 403]],
      ['GET', '/tokens', undefined, [200, 200, 403, 403]],
      ['POST', '/tokens', newToken, [201, 403, 403, 403]],
      ['DELETE', '/tokens/no-such-token', undefined, [404, 403, 403, 403]],
    ];
    for (const [method, path, body, statuses] of expected) {
      const actual: number[] = [];
      for (const role of ROLE_NAMES) {
        actual.push((await call(tokens[role] ?? '', method, path, body)).status);
      }
      assert.deepEqual(actual, statuses, `${method} ${path}`);
    }
  });

  it('refuses a role with 403 naming the route, the roles it takes and the role sent', async () => {
    const { status, body } = await call(tokens.viewer ?? '', 'POST', '/keys', {
      teamId: 'team-a',
      appId: 'app',
    });
    assert.equal(status, 403);
    assert.deepEqual(body, {
      error: { code: 'forbidden', message: 'role: POST /api/v1/keys takes admin, got viewer' },
    });
  });

  it('shows an operator metadata without content, and an auditor everything', async () => {
    const operator = (await call(tokens.operator ?? '', 'GET', `/events/${eventOfTeamA}`))
      .body as unknown as AuditEvent;
    const auditor = (await call(tokens.auditor ?? '', 'GET', `/events/${eventOfTeamA}`))
      .body as unknown as AuditEvent;

    assert.deepEqual(auditor.request?.messages, [
      { role: 'user', parts: [{ type: 'text', content: 'Hello' }] },
    ]);
    assert.ok(auditor.response?.output?.length, 'the auditor reads the output');
    assert.equal(operator.request?.messages, null);
    assert.equal(operator.response?.output, null);
    assert.equal(operator.request?.model, 'gpt-4.1-nano');
    assert.equal(operator.usage?.inputTokens, auditor.usage?.inputTokens);

    const listed = await call(tokens.operator ?? '', 'GET', '/events?limit=10');
    const events = listed.body.events as AuditEvent[];
    assert.ok(events.length >= 2);
    assert.ok(events.every((event) => event.request?.messages === null));
  });

  it('lists only the viewer own teams, whatever team it asks for', async () => {
    const own = await call(tokens.viewer ?? '', 'GET', '/events');
    const ids = (own.body.events as AuditEvent[]).map((event) => event.id);
    assert.deepEqual(ids, [eventOfTeamA]);

    const other = await call(tokens.viewer ?? '', 'GET', '/events?team=team-b');
    assert.deepEqual(other.body.events, []);
  });

  it("answers a viewer with its own teams' spend only", async () => {
    const path = '/spend?groupBy=team&bucket=none';
    const teamsOf = (answer: Answer) =>
      (answer.body.spend as { group: { team: string }; calls: number }[]).map((row) => [
        row.group.team,
        row.calls,
      ]);

    const everyone = await call(gateway.adminToken, 'GET', path);
    assert.deepEqual(teamsOf(everyone).sort(), [
      ['team-a', 1],
      ['team-b', 1],
    ]);

    const viewer = await call(tokens.viewer ?? '', 'GET', path);
    assert.equal(viewer.status, 200);
    assert.deepEqual(teamsOf(viewer), [['team-a', 1]]);
    assert.equal((viewer.body.totals as { calls: number }).calls, 1);

    // Grouped by model, the viewer still sees only team-a's call.
    const byModel = await call(tokens.viewer ?? '', 'GET', '/spend?groupBy=model&bucket=none');
    assert.equal((byModel.body.totals as { calls: number }).calls, 1);
  });

  it('refuses an evidence bundle to a token limited to teams: a bundle covers every team', async () => {
    const body = { name: 'a team auditor', role: 'auditor', teams: ['team-a'] };
    const teamAuditor = String(
      (await created(call(gateway.adminToken, 'POST', '/tokens', body))).token,
    );
    const path = `/ledger/bundle?from=1h&to=${new Date(Date.now() + 60_000).toISOString()}`;

    const refused = await call(teamAuditor, 'GET', path);
    assert.equal(refused.status, 403);
    assert.equal((refused.body.error as { code: string }).code, 'forbidden');
    assert.doesNotMatch(JSON.stringify(refused.body), /logs/);

    const unlimited = await call(tokens.auditor ?? '', 'GET', path);
    assert.equal(unlimited.status, 200);
  });

  it('refuses a revoked token at once, and no token at all', async () => {
    const made = await created(
      call(gateway.adminToken, 'POST', '/tokens', { name: 'leaver', role: 'auditor' }),
    );
    const token = String(made.token);
    assert.match(token, /^agt_[A-Za-z0-9_-]{43}$/);
    assert.equal((await call(token, 'GET', '/health')).status, 200);

    const revoked = await call(gateway.adminToken, 'DELETE', `/tokens/${String(made.id)}`);
    assert.equal(revoked.status, 200);
    const refused = await call(token, 'GET', '/health');
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, {
      error: {
        code: 'unauthorized',
        message: `the bearer token ${String(made.id)} was revoked at ${String(revoked.body.revokedAt)}`,
      },
    });

    const listed = await call(gateway.adminToken, 'GET', '/tokens');
    assert.ok(!JSON.stringify(listed.body).includes(token), 'the list shows a token text');
    assert.equal((await call('', 'GET', '/health')).status, 401);
  });

  it('gives a created admin token what the quick start admin token has', async () => {
    const made = await created(
      call(gateway.adminToken, 'POST', '/tokens', { name: 'second admin', role: 'admin' }),
    );
    const token = String(made.token);
    await created(call(token, 'POST', '/keys', { teamId: 'team-d', appId: 'app' }));
    assert.equal((await call(token, 'GET', '/tokens')).status, 200);
  });

  it('refuses a viewer without teams and an admin limited to teams', async () => {
    const viewer = await call(gateway.adminToken, 'POST', '/tokens', { name: 'v', role: 'viewer' });
    assert.equal(viewer.status, 400);
    const admin = await call(gateway.adminToken, 'POST', '/tokens', {
      name: 'a',
      role: 'admin',
      teams: ['team-a'],
    });
    assert.equal(admin.status, 400);
    const unknownRole = await call(gateway.adminToken, 'POST', '/tokens', {
      name: 'x',
      role: 'root',
    });
    assert.equal(unknownRole.status, 400);
    assert.equal((unknownRole.body.error as { code: string }).code, 'invalid_body');
  });
});
