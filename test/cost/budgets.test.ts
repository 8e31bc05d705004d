import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startUpstream, writeConfig } from '../helpers/upstream.js';

const CHAT = {
  model: 'gpt-4.1-nano',
  max_tokens: 10000,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};

async function eventsOf(gateway: TestGateway, query: string): Promise<AuditEvent[]> {
  await gateway.flush();
  const { body } = await gateway.api(`/api/v1/events?${query}`);
  return (body as { events: AuditEvent[] }).events;
}

describe('budgets', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function gatewayWith(
    budgets: unknown[],
    options: { dataFolder?: string; delayMs?: number } = {},
  ) {
    const config = writeConfig({ budgets });
    cleanups.push(config.remove);
    const gateway = await startTestGateway({
      configFile: config.path,
      simulate: { firstChunkDelayMs: options.delayMs ?? 0, chunkDelayMs: 0 },
      ...(options.dataFolder ? { dataFolder: options.dataFolder } : {}),
    });
    return gateway;
  }

  it('five concurrent calls against a budget that allows three: three forwarded, two blocked', async () => {
    // Each call's worst case: at most ~100 body bytes x $0.10 + 10,000 output tokens x $0.40 per
    // million = $0.004 to $0.00401. Three fit under $0.014 (at most $0.01203); a fourth does not
    // (at least $0.016).
    const gateway = await gatewayWith(
      [
        {
          name: 'radiology-day',
          scope: 'team',
          match: 'radiology',
          period: 'day',
          limitUsd: 0.014,
        },
      ],
      { delayMs: 400 },
    );
    cleanups.push(() => gateway.stop());
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-budget', maxRetries: 0 });
    const headers = {
      'x-auditgate-team': 'radiology',
      'x-auditgate-simulate': 'openai-text-cache.derived',
    };

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => openai.chat.completions.create(CHAT, { headers })),
    );
    const answered = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    assert.equal(answered.length, 3);
    assert.equal(refused.length, 2);
    for (const result of refused) {
      const error = result.reason as InstanceType<typeof OpenAI.APIError>;
      assert.equal(error.status, 429);
      assert.equal(error.code, 'budget_exceeded');
      assert.match(
        error.message,
        /budget 'radiology-day' \(team radiology, per day\) would be exceeded/,
      );
      assert.match(error.message, /audit event [0-9a-f-]{36}/);
    }

    const events = await eventsOf(gateway, 'team=radiology&kind=llm.call');
    assert.equal(events.length, 5);
    const byOutcome = events.map((event) => event.outcome.status).sort();
    assert.deepEqual(byOutcome, ['blocked', 'blocked', 'ok', 'ok', 'ok']);
    for (const event of events.filter((each) => each.outcome.status === 'blocked')) {
      // Never sent upstream, so it cost nothing; the refusal names the event.
      assert.equal(event.timing.upstreamMs, null);
      assert.equal(event.response?.httpStatus, 429);
      assert.equal(event.cost?.amountUsd, 0);
      assert.match(event.outcome.error ?? '', new RegExp(`audit event ${event.id}`));
      const decision = event.policy[0];
      assert.equal(decision?.ruleId, 'budget.radiology-day');
      // Findings are types and counts, as the rules of policies: write them; the budget's
      // state is in a field of its own.
      assert.deepEqual(decision?.findings, [{ type: 'budget_exceeded', count: 1 }]);
      assert.equal(decision?.category === 'budget' ? decision.budget.name : null, 'radiology-day');
    }
    // What was spent stays under the limit: 3 x 0.0001776 = 0.0005328.
    // The two refused calls never reached the provider, so spend counts three calls.
    const { body } = await gateway.api('/api/v1/spend?groupBy=team&bucket=none');
    const totals = (body as { totals: { costUsd: number; calls: number } }).totals;
    assert.deepEqual([totals.calls, totals.costUsd], [3, 0.0005328]);
  });

  it('a spent team budget blocks the next call, and still does after a restart', async () => {
    const dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-budget-'));
    cleanups.push(() => rmSync(dataFolder, { recursive: true, force: true }));
    // The Anthropic call with cache writes costs 0.0055014 (see cost-sdk.test.ts). Its worst
    // case is about 120 bytes x $6 + 256 x $15 per million = ~$0.0046, under $0.006 at first,
    // but not once 0.0055014 is spent.
    const budgets = [
      { name: 'lab-month', scope: 'team', match: 'lab', period: 'month', limitUsd: 0.006 },
    ];
    const call = async (gateway: TestGateway) => {
      const anthropic = new Anthropic({
        baseURL: `${gateway.url}/anthropic`,
        apiKey: 'sk-ant-budget',
        maxRetries: 0,
      });
      return anthropic.messages.create(
        {
          model: 'claude-sonnet-4-5',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'Hi' }],
        },
        {
          headers: {
            'x-auditgate-team': 'lab',
            'x-auditgate-simulate': 'anthropic-text-cache-write.derived',
          },
        },
      );
    };

    const first = await gatewayWith(budgets, { dataFolder });
    await call(first);
    await assert.rejects(call(first), (error: InstanceType<typeof Anthropic.APIError>) => {
      assert.equal(error.status, 429);
      // Anthropic's own error shape: { type: 'error', error: { type, message } }.
      assert.match(
        error.message,
        /budget 'lab-month' \(team lab, per month\) would be exceeded: \$0\.0055014 of its \$0\.006/,
      );
      return true;
    });
    await first.close();

    const second = await gatewayWith(budgets, { dataFolder });
    await assert.rejects(call(second), /\$0\.0055014 of its \$0\.006 is spent or held/);
    await second.close();
  });

  it('a trace budget stops a runaway agent once its token ceiling is near', async () => {
    const gateway = await gatewayWith([
      { name: 'agent-run', scope: 'trace', period: 'total', limitTokens: 5000 },
    ]);
    cleanups.push(() => gateway.stop());
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-agent', maxRetries: 0 });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const headers = { traceparent, 'x-auditgate-simulate': 'openai-text-cache.derived' };
    const step = { ...CHAT, max_tokens: 1000 };

    // Each step uses 2316 tokens (2016 in, 300 out) and may use ~1100 (body bytes + 1000 out).
    await openai.chat.completions.create(step, { headers }); // 0 + ~1100 <= 5000
    await openai.chat.completions.create(step, { headers }); // 2316 + ~1100 <= 5000
    await assert.rejects(
      openai.chat.completions.create(step, { headers }),
      /4632 of its 5000 tokens/,
    );
    // Another trace is not held back.
    await openai.chat.completions.create(step, {
      headers: {
        ...headers,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    });
  });

  it('a stream past a trace token ceiling is ended with an error, and recorded as blocked', async () => {
    const gateway = await gatewayWith([
      { name: 'agent-stream', scope: 'trace', period: 'total', limitTokens: 20000 },
    ]);
    cleanups.push(() => gateway.stop());
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-agent', maxRetries: 0 });
    const traceparent = '00-5cf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const headers = { traceparent, 'x-auditgate-simulate': 'openai-text' };
    // 'agent-model' has no price and the request no max_tokens, so its worst case is unbounded:
    // it is admitted, and counted while it streams (one token per byte of the ~98 KB answer), so
    // it passes 20,000 tokens a little after its first 20 KB.
    const request = { model: 'agent-model', messages: CHAT.messages };
    const { data: stream, response } = await openai.chat.completions
      .create({ ...request, stream: true }, { headers })
      .withResponse();
    let chunks = 0;
    await assert.rejects(
      async () => {
        for await (const chunk of stream) if (chunk) chunks += 1;
      },
      (error: unknown) =>
        error instanceof OpenAI.APIError &&
        /budget 'agent-stream' \(trace 5cf92f3577b34da6a3ce929d0e0e4736, per total\)/.test(
          error.message,
        ),
    );
    assert.ok(chunks > 0, 'the stream ran before it was stopped');

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'blocked');
    // The cut stream reported no usage (flagged), and the budget's decision is beside it.
    assert.deepEqual(
      event.policy.map((entry) => [entry.ruleId, entry.findings[0]?.type]),
      [
        ['cost.usage_missing', 'usage_missing'],
        ['budget.agent-stream', 'budget_exceeded'],
      ],
    );
    // Less than the whole answer (98,275 bytes) was relayed; the meter sees the upstream's
    // chunks, which arrive here up to 64 KiB at a time.
    assert.ok((event.response?.bodyBytes ?? 0) < 98_275, String(event.response?.bodyBytes));

    // What it streamed stays counted, so the agent's next call is refused at once.
    await assert.rejects(
      openai.chat.completions.create(request, { headers }),
      /tokens are spent or held/,
    );
  });

  it('an alert threshold records a budget.alert event and posts a signed webhook, retried', async () => {
    const secret = 'webhook-secret-for-tests-0123';
    let calls = 0;
    const receiver = await startUpstream((_request, response) => {
      calls += 1;
      // The first delivery fails, so the second is the retry.
      response.writeHead(calls === 1 ? 503 : 204).end();
    });
    cleanups.push(() => receiver.close());
    const gateway = await gatewayWith([
      {
        name: 'radiology-watch',
        scope: 'team',
        match: 'radiology',
        period: 'day',
        alertAtUsd: 0.0001,
        webhook: { url: receiver.url + '/hooks/budget', secret },
      },
    ]);
    cleanups.push(() => gateway.stop());
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-alert', maxRetries: 0 });
    const headers = {
      'x-auditgate-team': 'radiology',
      'x-auditgate-simulate': 'openai-text-cache.derived',
    };

    const { response } = await openai.chat.completions.create(CHAT, { headers }).withResponse();
    const causeId = response.headers.get('x-auditgate-event-id');
    await openai.chat.completions.create(CHAT, { headers }); // past the threshold again: no second alert
    await gateway.context.budgets.idle();

    assert.equal(receiver.requests.length, 2);
    const delivered = receiver.requests[1];
    assert.equal(delivered?.url, '/hooks/budget');
    const expected = `sha256=${createHmac('sha256', secret)
      .update(delivered?.body ?? '')
      .digest('hex')}`;
    assert.equal(delivered?.headers['x-auditgate-signature'], expected);
    assert.equal(receiver.requests[0]?.body, delivered?.body);
    const body = JSON.parse(delivered?.body ?? '{}') as Record<string, unknown>;
    // 0.0001776 (one cached gpt-4.1-nano call) crossed 0.0001.
    assert.deepEqual(
      [body.type, body.budget, body.value, body.spentUsd, body.alertAtUsd, body.causeEventId],
      ['budget.alert', 'radiology-watch', 'radiology', 0.0001776, 0.0001, causeId],
    );

    const alerts = await eventsOf(gateway, 'kind=budget.alert');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.id, body.eventId);
    assert.equal(alerts[0]?.attribution.teamId, 'radiology');
    assert.deepEqual(alerts[0]?.policy[0]?.findings, [{ type: 'budget_alert', count: 1 }]);
  });
});
