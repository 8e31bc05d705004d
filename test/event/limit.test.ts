import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitContent } from '../../src/event/content.js';
import { limitContent, TRUNCATION_MARK } from '../../src/event/limit.js';
import { makeEvent } from '../helpers/events.js';

const contentBytes = (event: ReturnType<typeof makeEvent>) =>
  Buffer.byteLength(JSON.stringify(splitContent(event).content));

describe('limitContent', () => {
  it('leaves an event within the limit untouched', () => {
    const event = makeEvent();
    assert.equal(limitContent(event, 1_048_576), event);
  });

  it('cuts the largest strings so the content fits, and says so', () => {
    const image = 'iVBORw0KGgo'.repeat(50_000); // 550,000 characters of base64
    const prompt = 'Summarise the attached scan. '.repeat(10_000); // 290,000 characters
    const event = makeEvent({
      request: {
        bodyBytes: 900_000,
        messages: [
          {
            role: 'user',
            parts: [
              { type: 'text', content: prompt },
              { type: 'blob', mimeType: 'image/png', modality: 'image', content: image },
            ],
          },
        ],
      },
    });

    const limited = limitContent(event, 100_000);
    assert.ok(contentBytes(limited) <= 100_000, `${contentBytes(limited)} bytes`);
    assert.equal(limited.request?.truncated, true);
    assert.equal(limited.response?.truncated, false);
    assert.equal(limited.request?.bodyBytes, 900_000);

    const [text, blob] = limited.request?.messages?.[0]?.parts ?? [];
    assert.ok(text?.type === 'text' && text.content.endsWith(TRUNCATION_MARK));
    assert.ok(text.content.startsWith('Summarise the attached scan. Summarise'));
    assert.ok(blob?.type === 'blob' && blob.content.endsWith(TRUNCATION_MARK));
    // Short strings keep every character.
    assert.equal(limited.request?.messages?.[0]?.role, 'user');
    assert.equal(limited.request?.system, event.request?.system);
  });

  it('never splits a surrogate pair, and counts bytes, not characters', () => {
    const emoji = '😀'.repeat(200_000); // 4 bytes of UTF-8 each, 2 UTF-16 units
    const event = makeEvent({
      request: {
        bodyBytes: 800_000,
        messages: [{ role: 'user', parts: [{ type: 'text', content: emoji }] }],
      },
    });
    const limited = limitContent(event, 50_000);
    assert.ok(contentBytes(limited) <= 50_000, `${contentBytes(limited)} bytes`);
    const part = limited.request?.messages?.[0]?.parts[0];
    assert.ok(part?.type === 'text');
    const kept = part.content.slice(0, -TRUNCATION_MARK.length);
    assert.equal(kept.length % 2, 0);
    assert.ok(/^(😀)+$/u.test(kept));
  });
});

describe('limitContent on content made of many short strings', () => {
  it('never cuts ids, types or roles, even when the content stays over the limit', () => {
    const parts = Array.from({ length: 400 }, (_, index) => ({
      type: 'tool_call' as const,
      id: `toolu_${String(index).padStart(20, '0')}`,
      name: 'web_search',
      arguments: { query: `query number ${index}` },
    }));
    const event = makeEvent({
      request: { bodyBytes: 50_000, messages: [{ role: 'assistant', parts }] },
    });
    const limited = limitContent(event, 2_000);
    assert.deepEqual(limited.request?.messages, event.request?.messages);
    assert.equal(limited.request?.truncated, false);
  });
});
