import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  callerKey,
  identityFromRequest,
  parseTags,
  redactQuery,
} from '../../src/identity/headers.js';

/** A header value as Node hands it over: the UTF-8 bytes read as Latin-1. */
const asReceived = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('identity from headers', () => {
  it('reads UTF-8 attribution headers, and caps absurd lengths', () => {
    const identity = identityFromRequest({
      headers: {
        'x-auditgate-user': asReceived('zoë.müller'),
        'x-auditgate-session': 'x'.repeat(5000),
        'x-auditgate-actor': 'AGENT',
      },
      key: null,
      bodyUserId: 'from-body',
      clientAddress: '127.0.0.1',
    });
    assert.equal(identity.userId, 'zoë.müller');
    assert.equal(identity.sessionId?.length, 1024);
    assert.equal(identity.actorType, 'agent');
    assert.equal(identity.authMethod, 'none');
  });

  it('takes the user from the body when no header names one', () => {
    const identity = identityFromRequest({
      headers: {},
      key: null,
      bodyUserId: 'user-9',
      clientAddress: null,
    });
    assert.equal(identity.userId, 'user-9');
  });

  it('finds the caller key in each provider header, never keeping more than a fingerprint', () => {
    assert.equal(callerKey({ authorization: 'Bearer sk-one' })?.header, 'authorization');
    assert.equal(callerKey({ 'x-api-key': 'sk-ant-two' })?.header, 'x-api-key');
    assert.equal(callerKey({ 'x-goog-api-key': 'AIza-three' })?.header, 'x-goog-api-key');
    assert.equal(callerKey({ authorization: 'Basic abc' }), null);
    assert.match(
      callerKey({ 'api-key': 'azure-four' })?.fingerprint ?? '',
      /^sha256:[0-9a-f]{12}$/,
    );
  });

  it('parses tags, keeping values that contain = and skipping empty names', () => {
    assert.deepEqual(parseTags(';;=;a=b=c; ward = 4 ;flag'), { a: 'b=c', ward: '4', flag: '' });
  });

  it('redacts credentials in the query string and returns the first one', () => {
    assert.deepEqual(redactQuery('/v1beta/models/m:generateContent?alt=sse&key=AIza%2Fx'), {
      path: '/v1beta/models/m:generateContent?alt=sse&key=[redacted]',
      key: 'AIza/x',
    });
    assert.deepEqual(redactQuery('/openai/deployments/d?api-version=2024&sig=abc&API_KEY=k'), {
      path: '/openai/deployments/d?api-version=2024&sig=[redacted]&API_KEY=[redacted]',
      key: 'abc',
    });
    assert.deepEqual(redactQuery('/v1/chat/completions'), {
      path: '/v1/chat/completions',
      key: null,
    });
  });
});
