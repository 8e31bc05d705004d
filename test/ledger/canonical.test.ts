import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import { canonicalJson, fastCanonicalJson } from '../../src/ledger/leaf.js';
import { toEventRecord } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';

/** The package's bytes, which the fast path must give for every plain JSON value. */
function packageJson(value: unknown): string {
  const text = canonicalize(value);
  assert.ok(text !== undefined);
  return text;
}

const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1 + 0.2,
  1e21,
  1e20,
  123456789012345680000,
  1e-7,
  1e-6,
  5e-324,
  -5e-324,
  1.7976931348623157e308,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 31),
  4.35,
  0.000001234,
  333333333.3333333,
  1 / 3,
  100,
  1e300 * 10 ** -300,
];

const ODD_STRINGS = [
  '',
  'plain',
  'quote " backslash \\ slash /',
  'controls \u0000\u0001\u0008\t\n\f\r\u001f\u007f',
  'line separators \u2028\u2029',
  'é ß ø €',
  'emoji 😀 and 🏳️‍🌈 and a flag 🇫🇷',
  'CJK 漢字 かな 한국어',
  'right-to-left עברית العربية',
  'astral 𝄞 and private \uE000 and \uFFFF',
];

// Keys that sort differently by UTF-16 code units than by code points or by locale.
const ODD_KEYS = ['\uFFFF', '😀', '\uE000', 'é', 'e', 'E', '', '10', '9', 'a b', '\r', '\u0080'];

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function pick<Item>(next: () => number, items: readonly Item[]): Item {
  return items[Math.floor(next() * items.length)] as Item;
}

function randomValue(next: () => number, depth: number): unknown {
  const kind = depth > 3 ? Math.floor(next() * 4) : Math.floor(next() * 6);
  switch (kind) {
    case 0:
      return pick(next, ODD_NUMBERS) * (next() < 0.5 ? 1 : -1);
    case 1:
      return pick(next, ODD_STRINGS) + String.fromCodePoint(Math.floor(next() * 0xd000));
    case 2:
      return pick(next, [true, false, null]);
    case 3:
      return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let count = Math.floor(next() * 6); count > 0; count -= 1) {
        object[pick(next, ODD_KEYS) + pick(next, ['', 'x', 'é'])] = randomValue(next, depth + 1);
      }
      return object;
    }
  }
}

describe('the fast RFC 8785 path gives the canonicalize package its bytes', () => {
  it('for events of every kind, with their content', () => {
    const events = [
      makeEvent(),
      makeEvent({ identity: { userId: 'zoë', teamId: 'équipe-😀' } }),
      makeEvent({ request: null, response: null, usage: null }),
      makeEvent({ attribution: { project: '漢字', costCenter: '\u2028' } as never }),
    ];
    for (const event of events) {
      const record = toEventRecord(event);
      assert.equal(fastCanonicalJson(record.envelope), packageJson(record.envelope));
      assert.equal(fastCanonicalJson(record.content), packageJson(record.content));
    }
  });

  it('for odd numbers, written as ECMAScript writes them (RFC 8785 section 3.2.2.3)', () => {
    assert.equal(fastCanonicalJson(ODD_NUMBERS), packageJson(ODD_NUMBERS));
    // Values from RFC 8785 appendix B, written down by hand.
    assert.equal(
      fastCanonicalJson([1e21, 1e-7, -0, 5e-324, 333333333.3333333]),
      '[1e+21,1e-7,0,5e-324,333333333.3333333]',
    );
  });

  it('for unicode strings and member names sorted by UTF-16 code units (section 3.2.3)', () => {
    const object = Object.fromEntries(ODD_KEYS.map((key, index) => [key, ODD_STRINGS[index % 10]]));
    assert.equal(fastCanonicalJson(object), packageJson(object));
    assert.equal(
      fastCanonicalJson({ '\uFFFF': 1, '😀': 2, é: 3, e: 4 }),
      '{"e":4,"é":3,"😀":2,"\uFFFF":1}',
    );
  });

  it('for undefined members and elements, and toJSON', () => {
    const value = { a: undefined, b: [undefined, 1], c: new Date(Date.UTC(2026, 0, 2)), d: {} };
    assert.equal(fastCanonicalJson(value), packageJson(value));
    assert.equal(fastCanonicalJson(value), '{"b":[null,1],"c":"2026-01-02T00:00:00.000Z","d":{}}');
  });

  it('for two thousand random values', () => {
    const next = random(6);
    for (let round = 0; round < 2000; round += 1) {
      const value = randomValue(next, 0);
      assert.equal(fastCanonicalJson(value), packageJson(value), JSON.stringify(value));
    }
  });

  it('leaves lone surrogates and non-finite numbers to the package path', () => {
    assert.throws(() => fastCanonicalJson({ text: 'cut \uD83D' }));
    assert.throws(() => fastCanonicalJson([Number.POSITIVE_INFINITY]));
    assert.equal(
      canonicalJson({ text: 'cut \uD83D', n: Number.NaN }),
      '{"n":null,"text":"cut \uFFFD"}',
    );
  });
});
