import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { converseApi, describeError } from '../../src/providers/bedrock-converse/index.js';
import { parseRequest } from '../../src/providers/bedrock-converse/request.js';
import { parseResponse } from '../../src/providers/bedrock-converse/response.js';
import { describeError as describeAnyError, familyFor } from '../../src/providers/registry.js';
import { byteByByte, chunkLines, jsonBody, randomChunks } from './fixtures.js';

// Encoded here from the README's framing rule, independently of src/simulator/replay.ts.
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function frame(headers: Record<string, string>, body: string): Uint8Array {
  const tagged = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }]),
  );
  return codec.encode({ headers: tagged, body: fromUtf8(body) });
}

/** A recorded ConverseStream, framed as Bedrock sends it. */
function converseStream(name: string): Buffer {
  const frames = chunkLines(name).map((line) => {
    const [eventType, payload] = Object.entries(JSON.parse(line) as object)[0] ?? [];
    return frame(
      {
        ':event-type': eventType ?? '',
        ':content-type': 'application/json',
        ':message-type': 'event',
      },
      JSON.stringify(payload),
    );
  });
  return Buffer.concat(frames);
}

function assemble(chunks: Uint8Array[]) {
  const assembler = converseApi.createStreamAssembler();
  for (const chunk of chunks) assembler.write(chunk);
  return assembler.finish();
}

const STREAMED_TEXT =
  'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\n' +
  'There are **3** r\'s in "strawberry."';

describe('Bedrock ConverseStream assembly', () => {
  it('reads frames split at every byte', () => {
    const bytes = converseStream('amazon-bedrock/amazon-bedrock-text.chunks.txt');
    const response = assemble(byteByByte(bytes));
    assert.deepEqual(response.output, [
      {
        role: 'assistant',
        parts: [{ type: 'text', content: STREAMED_TEXT }],
        finishReason: 'end_turn',
      },
    ]);
    assert.deepEqual(
      [response.usage.inputTokens, response.usage.outputTokens, response.usage.source],
      [22, 55, 'provider'],
    );
  });

  it('reads frames cut at random, with the same answer', () => {
    const bytes = converseStream('amazon-bedrock/amazon-bedrock-text-cache.derived.chunks.txt');
    for (const seed of [1, 2, 3]) {
      const response = assemble(randomChunks(bytes, seed, 40));
      assert.equal(response.output[0]?.parts[0]?.type, 'text');
      assert.deepEqual(
        [
          response.usage.inputTokens,
          response.usage.cacheReadTokens,
          response.usage.cacheWriteTokens,
        ],
        [2070, 1536, 512],
      );
    }
  });

  it('records an exception frame as the stream’s error', () => {
    const exception = frame(
      {
        ':message-type': 'exception',
        ':exception-type': 'modelStreamErrorException',
        ':content-type': 'application/json',
      },
      '{"message":"the model stopped","originalStatusCode":500}',
    );
    const response = assemble([exception]);
    assert.deepEqual(response.error, {
      type: 'modelStreamErrorException',
      message: 'the model stopped',
    });
    assert.equal(
      describeAnyError('bedrock', { error: response.error }),
      'modelStreamErrorException',
    );
    assert.equal(response.usage.source, 'missing');
  });

  it('stops reading at a frame whose checksum fails, keeping what came before', () => {
    const bytes = Buffer.from(converseStream('amazon-bedrock/amazon-bedrock-text.chunks.txt'));
    const second = bytes.readUInt32BE(0);
    bytes[second + 20] = (bytes[second + 20] ?? 0) ^ 0xff;
    const response = assemble([bytes]);
    assert.deepEqual(response.output, []);
    assert.equal(response.usage.source, 'missing');
  });

  it('assembles a tool call from its input deltas', () => {
    const response = assemble([
      converseStream('amazon-bedrock/amazon-bedrock-tool-call.1.chunks.txt'),
    ]);
    assert.deepEqual(response.toolCalls, [
      { id: 'tool-use-id', name: 'test-tool', arguments: { value: 'Sparkle Day' } },
    ]);
    assert.equal(response.finishReason, 'tool_call');
  });
});

describe('Bedrock Converse request and response', () => {
  it('reads every content block kind of a request', () => {
    const parsed = parseRequest(
      {
        system: [{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }],
        messages: [
          {
            role: 'user',
            content: [
              { text: 'Describe this.' },
              { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
              {
                document: {
                  format: 'pdf',
                  name: 'report',
                  source: { s3Location: { uri: 's3://b/r.pdf' } },
                },
              },
            ],
          },
          {
            role: 'assistant',
            content: [
              { reasoningContent: { reasoningText: { text: 'Look first.', signature: 'sig' } } },
              { toolUse: { toolUseId: 't1', name: 'lookup', input: { q: 'x' } } },
            ],
          },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 't1', content: [{ json: { found: true } }] } }],
          },
        ],
        toolConfig: {
          tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }],
          toolChoice: { auto: {} },
        },
        inferenceConfig: { maxTokens: 100 },
      },
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/converse-stream',
    );
    assert.equal(parsed.model, 'arn:aws:bedrock:us-east-1:1:inference-profile/us.x');
    assert.equal(parsed.stream, true);
    assert.equal(parsed.system, 'Be brief.');
    assert.deepEqual(parsed.parameters, {
      inferenceConfig: { maxTokens: 100 },
      toolConfig: { toolChoice: { auto: {} } },
    });
    assert.deepEqual(parsed.messages, [
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Describe this.' },
          { type: 'blob', mimeType: 'image/png', modality: 'image', content: 'iVBORw0KGgo=' },
          { type: 'uri', mimeType: 'application/pdf', modality: null, uri: 's3://b/r.pdf' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Look first.' },
          { type: 'tool_call', id: 't1', name: 'lookup', arguments: { q: 'x' } },
        ],
      },
      {
        role: 'user',
        parts: [{ type: 'tool_call_response', id: 't1', response: { found: true } }],
      },
    ]);
    assert.deepEqual(parsed.tools, [
      { type: 'function', name: 'lookup', description: null, parameters: { type: 'object' } },
    ]);
  });

  it('reads a whole response with cache tokens kept', () => {
    const response = parseResponse(jsonBody('amazon-bedrock/amazon-bedrock-text.json'));
    assert.deepEqual(
      [response.usage.inputTokens, response.usage.outputTokens, response.usage.cacheReadTokens],
      [22, 57, 0],
    );
    assert.equal(response.finishReason, 'stop');
  });

  it('names errors by the x-amzn-errortype header, then by __type', () => {
    const header = 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/';
    assert.equal(describeError({ message: 'slow down' }, header), 'ThrottlingException');
    assert.equal(
      describeError({ __type: 'com.amazon.coral.validate#ValidationException' }),
      'ValidationException',
    );
    assert.equal(
      familyFor('bedrock').errorHeaders?.(429)['x-amzn-errortype'],
      'ThrottlingException',
    );
  });
});
