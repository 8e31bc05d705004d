import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  createSseReader,
  parseJson,
  parseSseText,
  type SseEvent,
} from '../../src/providers/sse.js';
import { anthropicStream, byteByByte, chunkLines, randomChunks, splitAt } from './fixtures.js';

function readAll(chunks: Uint8Array[], end = true): SseEvent[] {
  const events: SseEvent[] = [];
  const reader = createSseReader((event) => events.push(event));
  for (const chunk of chunks) reader.write(chunk);
  if (end) reader.end();
  return events;
}

describe('createSseReader', () => {
  it('reports the event name and data of each event', () => {
    const bytes = Buffer.from('event: message_start\ndata: {"a":1}\n\ndata: [DONE]\n\n');
    assert.deepEqual(readAll([bytes]), [
      { event: 'message_start', data: '{"a":1}' },
      { event: null, data: '[DONE]' },
    ]);
  });

  it('keeps a character whose UTF-8 bytes are split across chunks, at every split point', () => {
    // ÷ is two bytes, the emoji four: every cut through them must still decode.
    const text = 'data: {"text":"925 ÷ 5 = 185 😀"}\n\n';
    const bytes = Buffer.from(text);
    for (let index = 0; index <= bytes.length; index += 1) {
      assert.deepEqual(readAll(splitAt(bytes, index)), [
        { event: null, data: '{"text":"925 ÷ 5 = 185 😀"}' },
      ]);
    }
    assert.deepEqual(readAll(byteByByte(bytes)), [
      { event: null, data: '{"text":"925 ÷ 5 = 185 😀"}' },
    ]);
  });

  it('reads events separated by CRLF and by CR alone', () => {
    for (const separator of ['\r\n', '\r']) {
      const blank = `${separator}${separator}`;
      const text = `event: a${separator}data: 1${blank}data: 2${blank}`;
      const bytes = Buffer.from(text);
      for (let index = 0; index <= bytes.length; index += 1) {
        assert.deepEqual(readAll(splitAt(bytes, index)), [
          { event: 'a', data: '1' },
          { event: null, data: '2' },
        ]);
      }
    }
  });

  it('joins multi-line data with newlines and skips comments', () => {
    const bytes = Buffer.from(': keep-alive\n\ndata: line one\ndata: line two\n\n');
    assert.deepEqual(readAll([bytes]), [{ event: null, data: 'line one\nline two' }]);
  });

  it('holds an event until its blank line, and delivers it at the end if it never comes', () => {
    const bytes = Buffer.from('data: {"last":true}');
    assert.deepEqual(readAll([bytes], false), []);
    assert.deepEqual(readAll([bytes], true), [{ event: null, data: '{"last":true}' }]);
  });

  it('reads every event of a recorded Anthropic stream under random splits', () => {
    const name = 'anthropic/anthropic-clear-thinking.1.chunks.txt';
    const lines = chunkLines(name);
    const bytes = anthropicStream(name);
    for (let seed = 1; seed <= 25; seed += 1) {
      const events = readAll(randomChunks(bytes, seed, 40));
      assert.deepEqual(
        events.map((event) => event.data),
        lines,
      );
      assert.equal(events[0]?.event, 'message_start');
      assert.equal(events.at(-1)?.event, 'message_stop');
    }
  });
});

describe('parseSseText', () => {
  it('reads every event of a whole text', () => {
    assert.deepEqual(parseSseText('data: a\r\n\r\nevent: b\r\ndata: c\r\n\r\n'), [
      { event: null, data: 'a' },
      { event: 'b', data: 'c' },
    ]);
  });
});

describe('parseJson', () => {
  it('parses JSON and answers undefined for anything else, without throwing', () => {
    assert.deepEqual(parseJson('{"a":[1,"x"]}'), { a: [1, 'x'] });
    assert.equal(parseJson('null'), null);
    assert.equal(parseJson('"text"'), 'text');
    assert.equal(parseJson(''), undefined);
    assert.equal(parseJson('{"a":'), undefined);
    assert.equal(parseJson('[DONE]'), undefined);
  });
});
