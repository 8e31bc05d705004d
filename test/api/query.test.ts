import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

type Page = { events: AuditEvent[]; nextCursor: string | null };
type ErrorBody = { error: { code: string; message: string } };

const DAY_MS = 24 * 60 * 60 * 1000;

async function chat(gateway: TestGateway): Promise<string> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.headers.get('x-auditgate-event-id') ?? '';
}

/** The date (`YYYY-MM-DD`, UTC) `days` from today. */
function date(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

describe('the events query', () => {
  let gateway: TestGateway;
  const ids: string[] = [];

  async function listed(query: string): Promise<string[]> {
    const { status, body } = await gateway.api(`/api/v1/events?${query}`);
    assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
    return (body as Page).events.map((event) => event.id);
  }

  async function refused(query: string): Promise<ErrorBody['error']> {
    const { status, body } = await gateway.api(`/api/v1/events?${query}`);
    assert.equal(status, 400, query);
    return (body as ErrorBody).error;
  }

  before(async () => {
    gateway = await startTestGateway();
    for (let index = 0; index < 2; index += 1) ids.push(await chat(gateway));
    await gateway.flush();
  });
  after(() => gateway.stop());

  it('takes a date as midnight UTC for from and to', async () => {
    const newestFirst = [...ids].reverse();
    assert.deepEqual(await listed(`from=${date(0)}`), newestFirst);
    assert.deepEqual(await listed(`from=${date(1)}`), []);
    assert.deepEqual(await listed(`to=${date(1)}`), newestFirst);
    assert.deepEqual(await listed(`to=${date(0)}`), []);
  });

  it('takes a date-time with an offset, written with + or left as the space it decodes to', async () => {
    const time = (await gateway.event(ids[1]!)).time;
    const local = new Date(Date.parse(time) + 2 * 60 * 60 * 1000).toISOString().slice(0, 23);
    assert.deepEqual(await listed(`from=${encodeURIComponent(`${local}+02:00`)}`), [ids[1]]);
    assert.deepEqual(await listed(`from=${local}+02:00`), [ids[1]]);
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000).toISOString().slice(0, 16);
    assert.deepEqual(await listed(`from=${hourAgo}Z`), [ids[1], ids[0]]);
  });

  it('takes relative times as now minus that much', async () => {
    const newestFirst = [...ids].reverse();
    for (const ago of ['30m', '24h', '7d']) {
      assert.deepEqual(await listed(`from=${ago}`), newestFirst, ago);
      assert.deepEqual(await listed(`to=${ago}`), [], ago);
    }
  });

  it('names the parameter, what it takes and the value received', async () => {
    assert.equal(
      (await refused('limit=abc')).message,
      "limit: expected a whole number from 1 to 1000, got 'abc'",
    );
    assert.equal(
      (await refused('limit=1.5')).message,
      "limit: expected a whole number from 1 to 1000, got '1.5'",
    );
    const from = await refused('from=yesterday');
    assert.equal(from.code, 'invalid_query');
    assert.match(from.message, /^from: expected an ISO 8601 time such as 2026-01-01 or /);
    assert.match(from.message, /relative time such as 24h, got 'yesterday'$/);
    assert.match((await refused('to=2026-02-30')).message, /^to: .*, got '2026-02-30'$/);
    assert.match((await refused('to=24x')).message, /^to: .*, got '24x'$/);
  });

  it('keeps names inside messages as they are written', async () => {
    const cursor = await refused('cursor=not-a-cursor');
    assert.equal(cursor.code, 'invalid_cursor');
    assert.match(cursor.message, /pass nextCursor from the previous page/);
    assert.match(
      (await refused('policyAction=allow')).message,
      /^policyAction: expected one of flag, mask, block, escalate, hold, got 'allow'$/,
    );
  });

  it('never echoes more than 64 characters of a value', async () => {
    const long = 'x'.repeat(600);
    for (const query of ['user', 'from', 'limit', 'kind'].map((name) => `${name}=${long}`)) {
      const { message } = await refused(query);
      assert.ok(message.startsWith(`${query.split('=')[0]}: `), message);
      assert.ok(message.includes('x'.repeat(64)), message);
      assert.ok(!message.includes('x'.repeat(65)), message);
    }
    const name = await refused(`${long}=1`);
    assert.ok(name.message.startsWith(`${'x'.repeat(64)}…: not a parameter`), name.message);
  });

  it('refuses a parameter given more than once', async () => {
    for (const query of ['limit=5&limit=6', 'user=alice&user=bob', 'from=1h&from=2h']) {
      const error = await refused(query);
      assert.equal(error.code, 'invalid_query', query);
      assert.equal(error.message, `${query.split('=')[0]}: given more than once`);
    }
  });

  it('checks kind and outcome against the values events have, naming them', async () => {
    const kind = await refused('kind=bogus');
    assert.equal(kind.code, 'invalid_query');
    assert.match(kind.message, /^kind: expected one of llm\.call, http\.call, .*, got 'bogus'$/);
    const outcome = await refused('outcome=bogus');
    assert.match(outcome.message, /^outcome: expected one of ok, upstream_error, .*interrupted/);
    assert.match(
      (await refused('colour=blue')).message,
      /^colour: not a parameter; known are .*outcome/,
    );

    assert.deepEqual(await listed('kind=http.call'), []);
    assert.deepEqual(await listed('outcome=ok&kind=llm.call'), [...ids].reverse());
  });
});
