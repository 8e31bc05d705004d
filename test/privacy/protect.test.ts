import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import type { EventContent } from '../../src/event/content.js';
import {
  ephemeralSettings,
  maskText,
  protectContent,
  type ProtectionSettings,
} from '../../src/privacy/protect.js';

const KEY = Buffer.alloc(32, 7);

function settings(overrides: Partial<ProtectionSettings> = {}): ProtectionSettings {
  return { ...ephemeralSettings(), pseudonymKey: KEY, encryptionKey: KEY, ...overrides };
}

function chat(text: string, output = 'ok'): EventContent {
  return {
    request: {
      system: null,
      messages: [{ role: 'user', parts: [{ type: 'text', content: text }] }],
      tools: null,
      retrieval: null,
    },
    response: {
      output: [
        { role: 'assistant', finishReason: 'stop', parts: [{ type: 'text', content: output }] },
      ],
      toolCalls: null,
      refusal: null,
      error: null,
    },
  };
}

describe('masking strategies', () => {
  it('redacts to a typed placeholder by default, and pseudonymises names', () => {
    const masked = maskText('Mail ann@example.com about Sophy Santino', settings());
    assert.match(masked, /^Mail \[EMAIL\] about \[PERSON_[0-9a-f]{10}\]$/);
  });

  it('gives both Alices the same pseudonym, and Bob another', () => {
    const masked = maskText('Alice and Bob and Alice', settings());
    const tokens = masked.match(/\[PERSON_[0-9a-f]{10}\]/g) ?? [];
    assert.equal(tokens.length, 3);
    assert.equal(tokens[0], tokens[2]);
    assert.notEqual(tokens[0], tokens[1]);
    assert.equal(masked, `${tokens[0]} and ${tokens[1]} and ${tokens[2]}`);
  });

  it('keeps the pseudonym across events under one key, and changes it under another', () => {
    const first = maskText('Sophy Santino called', settings());
    assert.equal(maskText('SOPHY SANTINO called', settings()), first);
    assert.notEqual(
      maskText('Sophy Santino called', settings({ pseudonymKey: Buffer.alloc(32, 8) })),
      first,
    );
  });

  it('keeps a type in the clear only when asked, masks the last four otherwise', () => {
    const text = 'card 4111 1111 1111 1111, mail ann@example.com';
    const chosen = settings({ strategies: { credit_card: 'partial', email: 'keep' } });
    assert.equal(maskText(text, chosen), 'card **** **** **** 1111, mail ann@example.com');
  });

  it('encrypts a value so that the admin key recovers it', () => {
    const masked = maskText('mail ann@example.com', settings({ defaultStrategy: 'encrypt' }));
    const sealed = /^mail \[EMAIL:enc:([A-Za-z0-9_-]+)\]$/.exec(masked)?.[1];
    assert.ok(sealed, masked);
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', KEY, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const clear = Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()]);
    assert.equal(clear.toString('utf8'), 'ann@example.com');
  });

  it('remembers findings per settings: the same text under other settings is scanned anew', () => {
    const text = 'Sophy Santino wrote from ann@example.com';
    const withNames = settings();
    const withoutNames = settings({ scan: { names: false } });
    const expected = /^\[PERSON_[0-9a-f]{10}\] wrote from \[EMAIL\]$/;
    assert.match(maskText(text, withNames), expected);
    assert.equal(maskText(text, withoutNames), 'Sophy Santino wrote from [EMAIL]');
    assert.match(maskText(text, withNames), expected);
  });

  it('never splices placeholders out of overlapping digit runs', () => {
    const masked = maskText('ref 4111 1111 1111 1111 2222 3333 call 020 7946 0958 44', settings());
    assert.equal(masked, 'ref [CREDIT_CARD] 2222 3333 call [PHONE]');
  });
});

describe('protectContent', () => {
  it('masks messages, tool arguments read with their keys, results, documents and errors', () => {
    const content: EventContent = {
      request: {
        system: 'Agent for ann@example.com',
        messages: [
          {
            role: 'user',
            parts: [
              { type: 'text', content: 'I am Sophy Santino' },
              { type: 'tool_call_response', id: 'c1', response: { ssn: '078-05-1120' } },
            ],
          },
        ],
        tools: null,
        retrieval: [
          { id: 'd1', source: null, text: 'IBAN GB82WEST12345698765432', sha256: null, score: 1 },
        ],
      },
      response: {
        output: null,
        toolCalls: [
          { id: 'c2', name: 'login', arguments: { user: 'u-1842', password: 'Tr0ub4dor&3' } },
        ],
        refusal: null,
        error: { message: 'no account for ann@example.com' },
      },
    };
    const { content: stored, privacy } = protectContent(content, settings());
    const text = JSON.stringify(stored);
    for (const raw of ['ann@example.com', 'Sophy', '078-05-1120', 'GB82WEST', 'Tr0ub4dor&3']) {
      assert.ok(!text.includes(raw), raw);
    }
    assert.equal(stored.request?.system, 'Agent for [EMAIL]');
    assert.deepEqual(stored.response?.toolCalls?.[0]?.arguments, {
      user: 'u-1842',
      password: '[SECRET]',
    });
    assert.deepEqual(privacy, {
      detectorsVersion: '1',
      findings: [
        { type: 'email', count: 2, strategy: 'redact' },
        { type: 'iban', count: 1, strategy: 'redact' },
        { type: 'person', count: 1, strategy: 'pseudonymise' },
        { type: 'secret', count: 1, strategy: 'redact' },
        { type: 'ssn', count: 1, strategy: 'redact' },
      ],
      failed: false,
    });
  });

  it('fails closed: when detection throws, every string is stored as [REDACTED]', () => {
    // A region libphonenumber-js does not know makes the scan throw.
    const broken = settings({ scan: { regions: ['XX'] } });
    const { content: stored, privacy } = protectContent(
      chat('call 020 7946 0958', 'Paris.'),
      broken,
    );
    assert.equal(privacy.failed, true);
    assert.deepEqual(privacy.findings, []);
    assert.deepEqual(stored.request?.messages?.[0]?.parts, [
      { type: 'text', content: '[REDACTED]' },
    ]);
    assert.deepEqual(stored.response?.output?.[0]?.parts, [
      { type: 'text', content: '[REDACTED]' },
    ]);
  });
});
