import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeError } from '../../src/providers/openai-embeddings/errors.js';
import { embeddingsApi } from '../../src/providers/openai-embeddings/index.js';
import { parseRequest } from '../../src/providers/openai-embeddings/request.js';
import { parseResponse } from '../../src/providers/openai-embeddings/response.js';
import { createStreamAssembler } from '../../src/providers/openai-embeddings/stream.js';
import { openaiFamily } from '../../src/providers/registry.js';
import { jsonBody } from './fixtures.js';

const recording = 'openai-embedding/openai-embedding.json';

/** The recorded body's vectors; a base64 one is a string. */
type RecordedBody = { data: { embedding: number[] | string }[] };

describe('OpenAI embeddings parseResponse', () => {
  it('reads model, usage and the vectors count and length, never the vectors', () => {
    const response = parseResponse(jsonBody(recording));
    assert.equal(response.model, 'text-embedding-3-small');
    assert.equal(response.id, null);
    assert.deepEqual(response.embeddings, { count: 2, dimensions: 5 });
    assert.deepEqual(response.usage, {
      inputTokens: 12,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
      source: 'provider',
      raw: { prompt_tokens: 12, total_tokens: 12 },
    });
    assert.deepEqual(response.output, []);
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.finishReason, null);
    assert.equal(response.error, null);
    // The first number of each recorded vector appears nowhere in what is kept.
    const kept = JSON.stringify(response);
    assert.ok(!kept.includes('0.0057293195'));
    assert.ok(!kept.includes('-0.037104916'));
  });

  it('counts the float32 values of base64-encoded vectors', () => {
    const body = structuredClone(jsonBody(recording)) as RecordedBody;
    for (const entry of body.data) {
      const floats = new Float32Array(entry.embedding as number[]);
      entry.embedding = Buffer.from(floats.buffer).toString('base64');
    }
    const response = parseResponse(body);
    assert.deepEqual(response.embeddings, { count: 2, dimensions: 5 });
    assert.ok(!JSON.stringify(response).includes(String(body.data[0]?.embedding)));
  });

  it('reports no embeddings and usage missing for odd bodies, without throwing', () => {
    for (const body of [null, 'text', [], { data: 'no' }]) {
      const response = parseResponse(body);
      assert.equal(response.embeddings, null);
      assert.equal(response.usage.source, 'missing');
    }
    assert.deepEqual(parseResponse({ data: [] }).embeddings, { count: 0, dimensions: null });
  });

  it('keeps an error body and names it in the OpenAI shape', () => {
    const error = {
      message: 'bad input',
      type: 'invalid_request_error',
      param: 'input',
      code: null,
    };
    assert.deepEqual(parseResponse({ error }).error, error);
    assert.equal(describeError({ error }), 'invalid_request_error');
  });
});

describe('OpenAI embeddings parseRequest', () => {
  it('reads a list of strings as one user message each, and the parameters without input', () => {
    const request = parseRequest({
      model: 'text-embedding-3-small',
      input: ['sunny day at the beach', 'rainy day in the city'],
      dimensions: 5,
      encoding_format: 'float',
      user: 'user-42',
    });
    assert.equal(request.model, 'text-embedding-3-small');
    assert.equal(request.inputCount, 2);
    assert.deepEqual(request.messages, [
      { role: 'user', parts: [{ type: 'text', content: 'sunny day at the beach' }] },
      { role: 'user', parts: [{ type: 'text', content: 'rainy day in the city' }] },
    ]);
    assert.deepEqual(request.parameters, {
      model: 'text-embedding-3-small',
      dimensions: 5,
      encoding_format: 'float',
      user: 'user-42',
    });
    assert.equal(request.userId, 'user-42');
    assert.equal(request.stream, false);
    assert.equal(request.system, null);
    assert.equal(request.tools, null);
  });

  it('reads a string as one input', () => {
    const request = parseRequest({ model: 'text-embedding-3-small', input: 'sunny day' });
    assert.equal(request.inputCount, 1);
    assert.deepEqual(request.messages, [
      { role: 'user', parts: [{ type: 'text', content: 'sunny day' }] },
    ]);
  });

  it('records token inputs as token blobs, distinct from any text a user could send', () => {
    const tokens = (ids: number[]) => ({
      type: 'blob',
      mimeType: 'application/json',
      modality: 'tokens',
      content: JSON.stringify(ids),
    });
    const single = parseRequest({ model: 'm', input: [40954, 1938, 520, 279, 11573] });
    assert.equal(single.inputCount, 1);
    assert.deepEqual(single.messages, [
      { role: 'user', parts: [tokens([40954, 1938, 520, 279, 11573])] },
    ]);
    const many = parseRequest({
      model: 'm',
      input: [
        [40954, 1938],
        [73, 2641, 520],
      ],
    });
    assert.equal(many.inputCount, 2);
    assert.deepEqual(
      many.messages.map((message) => message.parts),
      [[tokens([40954, 1938])], [tokens([73, 2641, 520])]],
    );
  });

  it('has no input count when the input is missing or not an input shape', () => {
    for (const odd of [null, 42, 'text', [], { model: 'm' }, { input: 7 }]) {
      const request = parseRequest(odd);
      assert.equal(request.inputCount, null);
      assert.deepEqual(request.messages, []);
    }
  });
});

describe('OpenAI embeddings stream and registration', () => {
  it('reads nothing from a stream and reports usage missing', () => {
    const assembler = createStreamAssembler();
    assembler.write(Buffer.from('data: {"object":"list"}\n\n'));
    assert.equal(assembler.sawContent, false);
    const response = assembler.finish();
    assert.equal(response.usage.source, 'missing');
    assert.equal(response.embeddings, null);
  });

  it('is the API for POST /v1/embeddings in the OpenAI family', () => {
    assert.equal(openaiFamily.apiFor('POST', '/v1/embeddings'), embeddingsApi);
    assert.equal(openaiFamily.apiFor('GET', '/v1/embeddings'), null);
    assert.equal(embeddingsApi.endpoint, 'embeddings');
  });
});
