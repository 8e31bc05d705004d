import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { jsonBody } from '../providers/fixtures.js';

// Values below are read from test/fixtures/recorded/openai-embedding/openai-embedding.json.
type Body = { model: string; data: { embedding: number[] }[]; usage: unknown };
const RECORDED = jsonBody('openai-embedding/openai-embedding.json') as Body;
const INPUTS = ['The weather is sunny.', 'The weather is rainy.'];

/** The lists of numbers in a value, at any depth. */
function numberLists(value: unknown): number[][] {
  if (Array.isArray(value)) {
    const own = value.length > 0 && value.every((item) => typeof item === 'number');
    return [...(own ? [value as number[]] : []), ...value.flatMap(numberLists)];
  }
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(numberLists);
  return [];
}

/** Fails when the event holds anything that looks like a vector, in any encoding. */
function assertNoVectors(event: AuditEvent, base64Vectors: string[]): void {
  const longest = Math.max(0, ...numberLists(event).map((list) => list.length));
  assert.ok(longest <= 3, `the event holds a list of ${longest} numbers`);
  const json = JSON.stringify(event);
  for (const value of RECORDED.data.flatMap((item) => item.embedding)) {
    assert.ok(!json.includes(String(value)), `the event holds the vector value ${value}`);
  }
  for (const vector of base64Vectors) assert.ok(!json.includes(vector), 'a base64 vector');
}

function base64Of(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

describe('the OpenAI SDK, embeddings, through the gateway', () => {
  let gateway: TestGateway;
  let client: OpenAI;

  before(async () => {
    gateway = await startTestGateway();
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test-openai', maxRetries: 0 });
  });
  after(() => gateway.stop());

  it('answers embeddings as the provider did and records them without vectors', async () => {
    // The SDK asks for base64 unless told otherwise, and decodes the float32s itself.
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: INPUTS })
      .withResponse();
    assert.deepEqual(
      data.data.map((item) => item.embedding),
      RECORDED.data.map((item) => item.embedding.map((value) => Math.fround(value))),
    );
    assert.equal(data.model, 'text-embedding-3-small');
    assert.deepEqual(data.usage, RECORDED.usage);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.kind, 'llm.call');
    assert.equal(event.outcome.status, 'ok');
    assert.deepEqual(
      [event.request?.provider, event.request?.endpoint, event.request?.model],
      ['openai', 'embeddings', 'text-embedding-3-small'],
    );
    assert.equal(event.request?.parameters?.encoding_format, 'base64');
    assert.equal(event.request?.inputCount, 2);
    assert.deepEqual(event.response?.embeddings, { count: 2, dimensions: 5 });
    // One user message per input.
    assert.deepEqual(
      event.request?.messages?.map((message) => message.parts),
      INPUTS.map((text) => [{ type: 'text', content: text }]),
    );
    assert.equal(event.response?.model, 'text-embedding-3-small');
    assert.equal(event.response?.httpStatus, 200);
    assert.deepEqual(event.response?.output ?? [], []);
    assert.deepEqual(event.response?.toolCalls ?? [], []);
    assert.equal(event.response?.finishReason, null);
    assert.deepEqual(
      [event.usage?.inputTokens, event.usage?.outputTokens, event.usage?.cacheReadTokens],
      [12, null, null],
    );
    assert.equal(event.usage?.reasoningTokens, null);
    assert.equal(event.usage?.source, 'provider');
    assert.deepEqual(event.usage?.raw, RECORDED.usage);
    assertNoVectors(
      event,
      RECORDED.data.map((item) => base64Of(item.embedding)),
    );
  });

  it('keeps float vectors out of the record as well', async () => {
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: INPUTS, encoding_format: 'float' })
      .withResponse();
    assert.deepEqual(
      data.data.map((item) => item.embedding),
      RECORDED.data.map((item) => item.embedding),
    );

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual([event.kind, event.request?.endpoint], ['llm.call', 'embeddings']);
    assert.equal(event.request?.inputCount, 2);
    assert.deepEqual(event.response?.embeddings, { count: 2, dimensions: 5 });
    assert.equal(event.usage?.inputTokens, 12);
    assertNoVectors(event, []);
  });
});
