import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  createUsageChunkFilter,
  requestStreamUsage,
} from '../../src/providers/openai-chat/stream-usage.js';
import { createStreamAssembler } from '../../src/providers/openai-chat/stream.js';
import { byteByByte, chunkLines, openaiStream, randomChunks, splitAt } from './fixtures.js';

/** The rewritten body as text, after checking the rewrite record. */
function rewritten(body: string, from: unknown = null): string {
  const result = requestStreamUsage(Buffer.from(body));
  assert.ok(result, 'expected a rewrite');
  assert.deepEqual(result.rewrite, {
    path: 'stream_options.include_usage',
    reason: 'usage for the audit record',
    from,
    to: true,
  });
  return result.body.toString('utf8');
}

describe('requestStreamUsage', () => {
  it('adds stream_options to a compact body', () => {
    const body =
      '{"model":"gpt-4.1-nano","stream":true,"messages":[{"role":"user","content":"hi"}]}';
    assert.equal(
      rewritten(body),
      '{"model":"gpt-4.1-nano","stream":true,"messages":[{"role":"user","content":"hi"}],' +
        '"stream_options":{"include_usage":true}}',
    );
  });

  it('adds stream_options before the last brace of a pretty body, leaving its whitespace', () => {
    const body = '\n {\n  "model" : "m",\n\t"stream"  :  true ,\r\n  "messages": [ ]\n}\n\n';
    assert.equal(
      rewritten(body),
      '\n {\n  "model" : "m",\n\t"stream"  :  true ,\r\n  "messages": [ ]\n' +
        ',"stream_options":{"include_usage":true}}\n\n',
    );
  });

  it('adds include_usage to existing stream_options', () => {
    assert.equal(
      rewritten('{"stream":true,"stream_options":{"include_obfuscation":false},"n":1}'),
      '{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true},"n":1}',
    );
    assert.equal(
      rewritten('{"stream":true,"stream_options":{ }}'),
      '{"stream":true,"stream_options":{ "include_usage":true}}',
    );
    assert.equal(
      rewritten('{"stream":true,"stream_options":null}'),
      '{"stream":true,"stream_options":{"include_usage":true}}',
    );
  });

  it('turns include_usage false to true in place', () => {
    assert.equal(
      rewritten('{"stream": true, "stream_options": { "include_usage" : false }}', false),
      '{"stream": true, "stream_options": { "include_usage" : true }}',
    );
  });

  it('is not fooled by braces, quotes and keys inside strings', () => {
    const body =
      '{"messages":[{"role":"user","content":"a } \\" { \\\\\\" \\"stream_options\\":{} }"}],' +
      '"stream":true,"x":"}"}';
    assert.deepEqual(JSON.parse(body).messages[0].content, 'a } " { \\" "stream_options":{} }');
    assert.equal(rewritten(body), `${body.slice(0, -1)},"stream_options":{"include_usage":true}}`);
  });

  it('edits the last of repeated keys, as JSON.parse reads them', () => {
    assert.equal(
      rewritten('{"stream_options":{"include_usage":true},"stream":true,"stream_options":{}}'),
      '{"stream_options":{"include_usage":true},"stream":true,' +
        '"stream_options":{"include_usage":true}}',
    );
  });

  it('leaves every other byte alone, multi-byte and invalid UTF-8 included', () => {
    const head = Buffer.from('{"stream":true,"messages":[{"content":"é😀');
    const tail = Buffer.from('"}]}');
    const body = Buffer.concat([head, Buffer.from([0xff]), tail]);
    const result = requestStreamUsage(body);
    assert.ok(result);
    const expected = Buffer.concat([
      head,
      Buffer.from([0xff]),
      Buffer.from('"}]'),
      Buffer.from(',"stream_options":{"include_usage":true}}'),
    ]);
    assert.ok(result.body.equals(expected));
  });

  it('answers null when nothing needs to change or the body is not a JSON object', () => {
    for (const body of [
      '{"stream":false,"messages":[]}',
      '{"messages":[]}',
      '{"stream":"true"}',
      '{"stream":true,"stream_options":{"include_usage":true}}',
      '{"stream":true,"stream_options":"yes"}',
      '{"stream":true',
      'not json',
      '[{"stream":true}]',
      '"stream"',
      '',
    ]) {
      assert.equal(requestStreamUsage(Buffer.from(body)), null, body);
    }
  });
});

describe('createUsageChunkFilter', () => {
  const name = 'openai-chat/openai-text.chunks.txt';
  const lines = chunkLines(name);
  const usageLine = lines.at(-1) ?? '';

  function filterAll(chunks: Uint8Array[]): Buffer {
    const filter = createUsageChunkFilter();
    const output = chunks.map((chunk) => Buffer.from(filter.transform(chunk)));
    return Buffer.concat([...output, Buffer.from(filter.flush())]);
  }

  it('drops exactly the usage-only chunk of a recorded stream, under random splits', () => {
    assert.ok(usageLine.includes('"choices":[]') && usageLine.includes('"prompt_tokens":16'));
    const bytes = openaiStream(name);
    const expected = Buffer.from(bytes.toString('utf8').replace(`data: ${usageLine}\n\n`, ''));
    assert.equal(bytes.length - expected.length, `data: ${usageLine}\n\n`.length);
    assert.ok(filterAll([bytes]).equals(expected));
    for (let seed = 1; seed <= 20; seed += 1) {
      assert.ok(filterAll(randomChunks(bytes, seed, 200)).equals(expected), `seed ${seed}`);
    }
    const assembled = createStreamAssembler();
    assembled.write(expected);
    assert.equal(assembled.finish().usage.source, 'missing');
  });

  it('forwards each event as soon as its blank line arrives', () => {
    const filter = createUsageChunkFilter();
    const event = `data: ${lines[1]}\n\n`;
    assert.equal(Buffer.from(filter.transform(Buffer.from(event.slice(0, -1)))).length, 0);
    assert.equal(Buffer.from(filter.transform(Buffer.from('\n'))).toString('utf8'), event);
    assert.equal(Buffer.from(filter.transform(Buffer.from(`data: ${usageLine}\n\n`))).length, 0);
    assert.equal(
      Buffer.from(filter.transform(Buffer.from('data: [DONE]\n\n'))).toString(),
      'data: [DONE]\n\n',
    );
    assert.equal(Buffer.from(filter.flush()).length, 0);
  });

  it('handles CRLF and CR framing at every split point', () => {
    const stream = 'openai-chat/azure-model-router.1.chunks.txt';
    const azureUsage = chunkLines(stream).at(-1) ?? '';
    for (const separator of ['\r\n\r\n', '\r\r', '\n\n']) {
      const bytes = openaiStream(stream, separator);
      const expected = Buffer.from(
        bytes.toString('utf8').replace(`data: ${azureUsage}${separator}`, ''),
      );
      assert.equal(bytes.length - expected.length, `data: ${azureUsage}${separator}`.length);
      for (let index = 0; index <= bytes.length; index += 1) {
        assert.ok(
          filterAll(splitAt(bytes, index)).equals(expected),
          `${JSON.stringify(separator)} at ${index}`,
        );
      }
      assert.ok(filterAll(byteByByte(bytes)).equals(expected));
    }
  });

  it('passes comments, [DONE], usage null and usage with choices byte for byte', () => {
    const deepseekLast = chunkLines('deepseek-chat/deepseek-tool-call.chunks.txt').at(-1) ?? '';
    const text = `: keep-alive\n\ndata: ${lines[0]}\n\ndata: ${deepseekLast}\n\n\ndata: [DONE]\n\n`;
    const bytes = Buffer.from(text);
    for (let index = 0; index <= bytes.length; index += 1) {
      assert.equal(filterAll(splitAt(bytes, index)).toString('utf8'), text);
    }
  });

  it('keeps the line feed of a CRLF cut after its CR with the event it ends', () => {
    const kept = `data: ${lines[1]}\r\n\r`;
    const dropped = `data: ${usageLine}\r\n\r`;
    const filter = createUsageChunkFilter();
    assert.equal(Buffer.from(filter.transform(Buffer.from(kept))).toString(), kept);
    assert.equal(Buffer.from(filter.transform(Buffer.from(`\n${dropped}`))).toString(), '\n');
    assert.equal(
      Buffer.from(filter.transform(Buffer.from('\ndata: [DONE]\r\n\r\n'))).toString(),
      'data: [DONE]\r\n\r\n',
    );
  });

  it('flushes an unterminated last event, unless it is the usage chunk', () => {
    const tail = `data: ${lines[1]}`;
    assert.equal(filterAll([Buffer.from(tail)]).toString(), tail);
    assert.equal(filterAll([Buffer.from(`data: ${usageLine}`)]).length, 0);
  });
});
