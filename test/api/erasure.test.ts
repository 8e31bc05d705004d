import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import type { Hold } from '../../src/ledger/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/run-cli.js';

describe('erasure and legal holds', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-erasure-'));
  const dataFolder = join(folder, 'data');
  let gateway: TestGateway;
  const byUser: Record<string, string[]> = { alice: [], bob: [] };
  let api: string[];
  let stopped = false;

  before(async () => {
    gateway = await startTestGateway({ dataFolder });
    api = ['--url', gateway.url, '--token', gateway.adminToken];
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test' });
    for (const user of ['alice', 'bob', 'alice']) {
      const { response } = await client.chat.completions
        .create(
          { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: `hello from ${user}` }] },
          { headers: { 'x-auditgate-user': user } },
        )
        .withResponse();
      byUser[user]!.push(response.headers.get('x-auditgate-event-id') ?? '');
    }
    await gateway.flush();
  });
  after(async () => {
    if (!stopped) await gateway.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses to erase a subject under a hold, and records the refusal', async () => {
    const created = await runCommand([
      'hold',
      'create',
      '--subject',
      'user:alice',
      '--reason',
      'litigation',
      ...api,
    ]);
    assert.equal(created.status, 0, created.output);
    const hold = JSON.parse(created.output) as Hold;
    assert.equal(hold.subject, 'user:alice');

    const refused = await runCommand([
      'erase',
      '--subject',
      'user:alice',
      '--reason',
      'art. 17 request',
      ...api,
    ]);
    assert.equal(refused.status, 1, refused.output);
    const recorded = /recorded as event (\S+)/.exec(refused.output)?.[1];
    assert.ok(refused.output.includes(`refused by legal hold ${hold.id}`), refused.output);
    const event = await gateway.event(recorded ?? null);
    assert.equal(event.kind, 'erasure');
    assert.equal(event.outcome.status, 'rejected');
    assert.deepEqual(event.erasure, {
      subject: 'user:alice',
      reason: 'art. 17 request',
      eventIds: [],
      refusedBy: [hold.id],
    });
    const kept = await gateway.event(byUser.alice![0]!);
    assert.equal(kept.request?.messages?.[0]?.parts[0]?.type, 'text');

    const listed = await runCommand(['hold', 'list', ...api]);
    assert.deepEqual(
      (JSON.parse(listed.output) as { holds: Hold[] }).holds.map((item) => item.id),
      [hold.id],
    );
    const released = await runCommand(['hold', 'release', hold.id, ...api]);
    assert.equal(released.status, 0, released.output);
    assert.ok((JSON.parse(released.output) as Hold).releasedAt);
  });

  it('erases the content once the hold is released; the event names what it erased', async () => {
    const erased = await runCommand([
      'erase',
      '--subject',
      'user:alice',
      '--reason',
      'art. 17 request',
      ...api,
    ]);
    assert.equal(erased.status, 0, erased.output);
    const result = JSON.parse(erased.output) as {
      status: string;
      eventId: string;
      erasedEventIds: string[];
    };
    assert.equal(result.status, 'erased');
    assert.deepEqual(result.erasedEventIds, [...byUser.alice!].sort());

    const event: AuditEvent = await gateway.event(result.eventId);
    assert.deepEqual(event.erasure?.eventIds, [...byUser.alice!].sort());
    assert.equal(typeof event.ledger?.index, 'number');
    const emptied = await gateway.event(byUser.alice![1]!);
    assert.equal(emptied.request?.messages, null);
    assert.equal(emptied.request?.model, 'gpt-4.1-nano');
    const untouched = await gateway.event(byUser.bob![0]!);
    assert.equal(untouched.request?.messages?.length, 1);
  });

  it('refuses by a time-range hold too', async () => {
    const created = await runCommand([
      'hold',
      'create',
      '--from',
      '1h',
      '--reason',
      'audit in progress',
      ...api,
    ]);
    const hold = JSON.parse(created.output) as Hold;
    assert.equal(hold.subject, null);
    const refused = await runCommand([
      'erase',
      '--subject',
      'user:bob',
      '--reason',
      'request',
      ...api,
    ]);
    assert.equal(refused.status, 1, refused.output);
    assert.ok(refused.output.includes(`refused by legal hold ${hold.id}`), refused.output);
  });

  it('leaves the ledger verifying, the erased content reported as erased by that event', async () => {
    const erasure = (
      (await gateway.api('/api/v1/events?kind=erasure&outcome=ok')).body as { events: AuditEvent[] }
    ).events[0]!;
    // A stopped gateway's folder: verify opens the store read-only, with no gateway.
    await gateway.close();
    stopped = true;
    const { status, output } = await runCommand(['verify', '--data', dataFolder]);
    assert.equal(status, 0, output);
    for (const id of byUser.alice!) {
      assert.ok(
        output.includes(`erased: the content of event ${id}, by erasure event ${erasure.id}`),
        output,
      );
    }
    // Three calls, two refusals, one erasure.
    assert.match(output, /: 6 events, \d+ checkpoints .*: ok/);
  });
});
