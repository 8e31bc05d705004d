import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { SpendAnswer } from '../../src/api/spend.js';
import { newEventId, newSpanId, newTraceId } from '../../src/event/ids.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const CLI = new URL('../helpers/cli.ts', import.meta.url).pathname;

function runCli(args: string[]): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

/**
 * Five calls by two teams. Costs, worked out in test/cost/cost-sdk.test.ts from prices.json:
 * gpt-4.1-nano with cache 0.0001776 each; claude-sonnet-4-5 with cache writes 0.0055014;
 * gpt-5-mini 0.001831; gpt-5.2-codex has no price (unknown).
 */
describe('spend by team and model', () => {
  let gateway: TestGateway;

  before(async () => {
    gateway = await startTestGateway();
    const team = (name: string) => ({ 'x-auditgate-team': name });
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-spend-test' });
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: 'sk-ant-x' });
    const chat = { model: 'gpt-4.1-nano', messages: [{ role: 'user' as const, content: 'Hi' }] };
    const simulate = (name: string, teamName: string) => ({
      headers: { 'x-auditgate-simulate': name, ...team(teamName) },
    });

    await openai.chat.completions.create(chat, simulate('openai-text-cache.derived', 'radiology'));
    await openai.chat.completions.create(chat, simulate('openai-text-cache.derived', 'radiology'));
    await anthropic.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] },
      simulate('anthropic-text-cache-write.derived', 'radiology'),
    );
    await openai.responses.create(
      { model: 'gpt-5-mini', input: 'Search' },
      simulate('openai-file-search-tool.1', 'billing'),
    );
    await openai.responses.create(
      { model: 'gpt-5.2-codex', input: 'Plan' },
      simulate('openai-custom-tool.1', 'billing'),
    );
    await gateway.flush();
  });
  after(() => gateway.stop());

  it('GET /api/v1/spend groups by team and model, and counts unpriced calls apart', async () => {
    const { status, body } = await gateway.api('/api/v1/spend?groupBy=team,model&bucket=none');
    assert.equal(status, 200);
    const answer = body as SpendAnswer;
    const rows = answer.spend.map((row) => [
      row.group.team,
      row.group.model,
      row.calls,
      row.unknownCostCalls,
      row.costUsd,
    ]);
    assert.deepEqual(rows, [
      ['radiology', 'claude-sonnet-4-5', 1, 0, 0.0055014],
      ['billing', 'gpt-5-mini', 1, 0, 0.001831],
      ['radiology', 'gpt-4.1-nano', 2, 0, 0.0003552],
      ['billing', 'gpt-5.2-codex', 1, 1, 0],
    ]);
    // 0.0055014 + 0.001831 + 2 x 0.0001776 = 0.0076876; the gpt-5.2-codex call is not priced at $0
    // but counted as unknown.
    assert.equal(answer.totals.costUsd, 0.0076876);
    assert.equal(answer.totals.calls, 5);
    assert.equal(answer.totals.unknownCostCalls, 1);
    // 2016 x 2 (nano) + 3084 (sonnet) + 3700 (gpt-5-mini) + 50 (gpt-5.2-codex) input tokens.
    assert.equal(answer.totals.inputTokens, 10866);
  });

  it('buckets by day', async () => {
    const { body } = await gateway.api('/api/v1/spend?groupBy=team&bucket=day&from=24h');
    const answer = body as SpendAnswer;
    const today = new Date().toISOString().slice(0, 10);
    // The calls were made in the last minute; near midnight they may straddle two days.
    const buckets = new Set(answer.spend.map((row) => row.bucket));
    assert.ok(buckets.has(today) || buckets.size === 2);
    const radiology = answer.spend.filter((row) => row.group.team === 'radiology');
    assert.equal(
      Math.round(radiology.reduce((sum, row) => sum + row.costUsd, 0) * 1e10) / 1e10,
      0.0058566,
    );
  });

  it('refuses an unknown dimension, naming it', async () => {
    const { status, body } = await gateway.api('/api/v1/spend?groupBy=team,colour');
    assert.equal(status, 400);
    assert.match(JSON.stringify(body), /groupBy: expected names from key, team, .*got 'colour'/);
  });

  it('auditgate spend --group-by team,model --since 24h prints the same figures', async () => {
    const { status, output } = await runCli([
      'spend',
      '--group-by',
      'team,model',
      '--since',
      '24h',
      '--url',
      gateway.url,
      '--token',
      gateway.adminToken,
    ]);
    assert.equal(status, 0, output);
    const lines = output
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s+/));
    assert.deepEqual(lines, [
      ['team', 'model', 'calls', 'unpriced', 'cost_usd', 'input_tokens', 'output_tokens'],
      ['radiology', 'claude-sonnet-4-5', '1', '0', '0.0055014', '3084', '29'],
      ['billing', 'gpt-5-mini', '1', '0', '0.0018310', '3700', '741'],
      ['radiology', 'gpt-4.1-nano', '2', '0', '0.0003552', '4032', '600'],
      ['billing', 'gpt-5.2-codex', '1', '1', '0.0000000', '50', '20'],
      ['total', '5', '1', '0.0076876', '10866', '1390'],
      ['1', 'calls', 'have', 'no', 'price;', 'their', 'cost', 'is', 'not', 'in', 'cost_usd'],
    ]);
  });
});

describe('a call interrupted by a stop', () => {
  it('is recovered with an unknown cost, and counted as unpriced in spend', async () => {
    const dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-interrupted-'));
    const store = openSqliteStore(join(dataFolder, 'auditgate.db'));
    const eventId = newEventId();
    await store.journal({
      eventId,
      time: new Date().toISOString(),
      method: 'POST',
      path: '/v1/chat/completions',
      provider: 'openai',
      model: 'gpt-4.1-nano',
      keyFingerprint: 'sha256:3f2a9c',
      clientAddress: '127.0.0.1',
      traceId: newTraceId(),
      spanId: newSpanId(),
      parentSpanId: null,
    });
    await store.close();

    const gateway = await startTestGateway({ dataFolder });
    try {
      assert.equal(gateway.recovered, 1);
      const event = await gateway.event(eventId);
      assert.equal(event.outcome.status, 'interrupted');
      assert.deepEqual([event.cost?.amountUsd, event.cost?.source], [null, 'unknown']);
      const { body } = await gateway.api('/api/v1/spend?groupBy=model&bucket=none');
      const totals = (body as SpendAnswer).totals;
      assert.deepEqual([totals.calls, totals.unknownCostCalls, totals.costUsd], [1, 1, 0]);
    } finally {
      await gateway.close();
      rmSync(dataFolder, { recursive: true, force: true });
    }
  });
});
