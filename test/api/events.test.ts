import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

type Page = { events: AuditEvent[]; nextCursor: string | null };

async function chat(gateway: TestGateway, headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers },
    body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.headers.get('x-auditgate-event-id') ?? '';
}

describe('the events API', () => {
  let gateway: TestGateway;
  const ids: string[] = [];

  before(async () => {
    gateway = await startTestGateway();
    for (let index = 0; index < 5; index += 1) {
      ids.push(await chat(gateway, { 'x-auditgate-user': index < 3 ? 'alice' : 'bob' }));
    }
    await gateway.flush();
  });
  after(() => gateway.stop());

  it('refuses a missing or wrong token, in the API error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token' }] as Record<
      string,
      string
    >[]) {
      const response = await fetch(`${gateway.url}/api/v1/events`, { headers });
      assert.equal(response.status, 401);
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'unauthorized');
    }
  });

  it('lists newest first, filtered, and pages with the cursor', async () => {
    const first = await gateway.api('/api/v1/events?user=alice&limit=2');
    assert.equal(first.status, 200);
    const page = first.body as Page;
    assert.deepEqual(
      page.events.map((event) => event.id),
      [ids[2], ids[1]],
    );
    assert.ok(page.nextCursor);

    const second = (
      await gateway.api(`/api/v1/events?user=alice&limit=2&cursor=${page.nextCursor}`)
    ).body as Page;
    assert.deepEqual(
      second.events.map((event) => event.id),
      [ids[0]],
    );
    assert.equal(second.nextCursor, null);
  });

  it('filters by provider, kind, outcome and time', async () => {
    const since = (await gateway.event(ids[3]!)).time;
    const { body } = await gateway.api(
      `/api/v1/events?provider=openai&kind=llm.call&outcome=ok&from=${since}`,
    );
    assert.deepEqual(
      (body as Page).events.map((event) => event.id),
      [ids[4], ids[3]],
    );
  });

  it('answers bad queries with 400 and a code a script can test', async () => {
    const cases: [string, string][] = [
      ['/api/v1/events?cursor=not-a-cursor', 'invalid_cursor'],
      ['/api/v1/events?from=yesterday', 'invalid_query'],
      ['/api/v1/events?limit=0', 'invalid_query'],
      ['/api/v1/events?colour=blue', 'invalid_query'],
      ['/api/v1/events?q=refund', 'unsupported_filter'],
    ];
    for (const [path, code] of cases) {
      const { status, body } = await gateway.api(path);
      assert.equal(status, 400, path);
      assert.equal((body as { error: { code: string } }).error.code, code, path);
    }
  });

  it('answers 404 for an unknown event or route, and records no event for API calls', async () => {
    const before = ((await gateway.api('/api/v1/events?limit=1000')).body as Page).events.length;
    const missing = await gateway.api('/api/v1/events/01a23c38-0000-7000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { code: string } }).error.code, 'not_found');
    const route = await gateway.api('/api/v1/nothing-here');
    assert.equal(route.status, 404);

    await gateway.flush();
    const after = ((await gateway.api('/api/v1/events?limit=1000')).body as Page).events.length;
    assert.equal(after, before);
  });

  it('reports health and readiness', async () => {
    await gateway.flush();
    const health = (await gateway.api('/api/v1/health')).body as {
      store: string;
      events: unknown;
      ledger: { logId: string };
    };
    assert.equal(health.store, 'ok');
    assert.deepEqual(health.events, { pending: 0, failed: 0, inFlight: 0 });
    assert.equal(health.ledger.logId, gateway.instanceId);
    const ready = await fetch(`${gateway.url}/readyz`);
    assert.equal(ready.status, 200);
    const live = await fetch(`${gateway.url}/healthz`);
    assert.deepEqual(await live.json(), { status: 'ok' });
  });
});
