import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import OpenAI from 'openai';

import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const HELD_KEY = 'sk-held-by-the-gateway';
const ISSUER = 'https://login.hospital.example';
const AUDIENCE = 'auditgate';
const openaiAnswer = readFileSync(
  new URL('../fixtures/recorded/openai-chat/openai-text.json', import.meta.url),
);

type Signer = { privateKey: CryptoKey; jwk: JWK };

async function newSigner(kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

async function sign(
  signer: Signer,
  claims: Record<string, unknown>,
  options: { audience?: string; expiresAt?: number } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: signer.jwk.kid ?? '' })
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(signer.privateKey);
}

describe('JWT identity', () => {
  let upstream: TestUpstream;
  let signer: Signer;
  let folder: string;
  const gateways: TestGateway[] = [];
  const configs: ConfigFile[] = [];

  before(async () => {
    signer = await newSigner('key-1');
    folder = mkdtempSync(join(tmpdir(), 'auditgate-jwt-'));
    upstream = await startUpstream((request, response) => {
      if (request.url === '/jwks.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: [signer.jwk] }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(openaiAnswer);
    });
  });

  after(async () => {
    await upstream.close();
    for (const gateway of gateways) await gateway.stop();
    for (const config of configs) config.remove();
    rmSync(folder, { recursive: true, force: true });
  });

  async function gatewayWith(jwks: { jwksFile: string } | { jwksUrl: string }) {
    const config = writeConfig({
      auth: {
        requireKey: true,
        jwt: {
          ...jwks,
          issuer: ISSUER,
          audience: AUDIENCE,
          claims: { user: 'sub', team: 'org.team', roles: 'roles' },
        },
      },
      providers: {
        openai: { type: 'openai', baseUrl: upstream.url, apiKey: HELD_KEY },
        keyless: { type: 'openai', baseUrl: upstream.url },
      },
    });
    configs.push(config);
    const gateway = await startTestGateway({ configFile: config.path, simulate: false });
    gateways.push(gateway);
    return gateway;
  }

  async function fileGateway() {
    const jwksFile = join(folder, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [signer.jwk] }));
    return gatewayWith({ jwksFile });
  }

  async function chat(gateway: TestGateway, token: string, headers: Record<string, string> = {}) {
    const openai = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: token,
      maxRetries: 0,
      defaultHeaders: headers,
    });
    return openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
  }

  async function refused(gateway: TestGateway, token: string) {
    const error = await chat(gateway, token).then(
      () => assert.fail('the call succeeded'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof OpenAI.APIError, String(error));
    const event = await gateway.event(error.headers?.get('x-auditgate-event-id') ?? null);
    return { status: error.status, event };
  }

  it('verifies a token from a JWKS file, records its user and team as verified', async () => {
    const gateway = await fileGateway();
    const token = await sign(signer, {
      sub: 'dr-grey',
      org: { team: 'team-surgery' },
      roles: ['clinician'],
      email: 'grey@hospital.example',
    });
    const callsBefore = upstream.requests.length;
    const { response } = await chat(gateway, token, { 'x-auditgate-user': 'dr-forged' });
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));

    const received = await upstream.received(callsBefore + 1);
    assert.equal(received.headers.authorization, `Bearer ${HELD_KEY}`);
    assert.equal(event.outcome.status, 'ok');
    assert.equal(event.identity.authMethod, 'jwt');
    assert.equal(event.identity.userId, 'dr-grey');
    assert.equal(event.identity.teamId, 'team-surgery');
    assert.equal(event.attribution.teamId, 'team-surgery');
    assert.deepEqual(event.identity.verified, ['userId', 'teamId']);
    assert.deepEqual(event.identity.asserted, { userId: 'dr-forged' });
    const claims = event.identity.claims ?? {};
    assert.deepEqual(
      { ...claims, exp: typeof claims.exp },
      {
        iss: ISSUER,
        sub: 'dr-grey',
        aud: AUDIENCE,
        exp: 'number',
        'org.team': 'team-surgery',
        roles: ['clinician'],
      },
    );
    assert.ok(!JSON.stringify(event).includes(token), 'the event holds the token');
    assert.ok(!JSON.stringify(event).includes('grey@hospital.example'), 'an unmapped claim');
  });

  it('refuses a token for another audience, an expired one, and one signed by a stranger', async () => {
    const gateway = gateways[0] ?? (await fileGateway());
    const callsBefore = upstream.requests.length;
    const cases: [string, string][] = [
      [
        await sign(signer, { sub: 'dr-grey' }, { audience: 'another-service' }),
        "the token's aud claim is not what this gateway accepts",
      ],
      [
        await sign(signer, { sub: 'dr-grey' }, { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
        'the token expired',
      ],
      [
        await sign(await newSigner('key-1'), { sub: 'dr-grey' }),
        'the token is not signed by a key this gateway trusts',
      ],
      [await sign(signer, { org: { team: 'team-surgery' } }), "the token has no 'sub' claim"],
    ];
    for (const [token, message] of cases) {
      const { status, event } = await refused(gateway, token);
      assert.equal(status, 401, message);
      assert.deepEqual(event.outcome, { status: 'rejected', error: message });
      assert.equal(event.identity.authMethod, 'jwt');
      assert.deepEqual(event.identity.verified, []);
    }
    assert.equal(upstream.requests.length, callsBefore, 'a refused call reached the upstream');
  });

  it('lets a person call the API with a JWT, in the strongest role its roles claim grants', async () => {
    const gateway = gateways[0] ?? (await fileGateway());
    const api = async (token: string, method: string, path: string) => {
      const response = await fetch(`${gateway.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ teamId: 't', appId: 'a' }) : undefined,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const auditor = await sign(signer, {
      sub: 'ms-audit',
      roles: ['clinician', 'auditor', 'viewer'],
    });
    assert.equal((await api(auditor, 'GET', '/events')).status, 200);
    assert.equal((await api(auditor, 'POST', '/keys')).status, 403);

    const viewer = await sign(signer, {
      sub: 'dr-x',
      roles: 'viewer',
      org: { team: 'team-other' },
    });
    const seen = await api(viewer, 'GET', '/events');
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.events, [], 'a viewer of team-other read team-surgery events');

    const nobody = await api(
      await sign(signer, { sub: 'dr-y', roles: ['clinician'] }),
      'GET',
      '/events',
    );
    assert.equal(nobody.status, 403);
    const stranger = await sign(await newSigner('key-1'), { sub: 'x', roles: ['admin'] });
    const refused = await api(stranger, 'GET', '/events');
    assert.deepEqual(refused, {
      status: 401,
      body: {
        error: {
          code: 'unauthorized',
          message: 'the token is not signed by a key this gateway trusts',
        },
      },
    });
  });

  it('sends no JWT upstream beside a virtual key, though the provider holds no key', async () => {
    const gateway = gateways[0] ?? (await fileGateway());
    const created = await fetch(`${gateway.url}/api/v1/keys`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ teamId: 'team-surgery', appId: 'app-notes' }),
    });
    const { key } = (await created.json()) as { key: string };
    const callsBefore = upstream.requests.length;
    const response = await fetch(`${gateway.url}/keyless/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-auditgate-key': key,
        authorization: `Bearer ${await sign(signer, { sub: 'dr-grey' })}`,
      },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const received = await upstream.received(callsBefore + 1);
    assert.equal(received.headers.authorization, undefined);
  });

  it('verifies against a JWKS fetched from a URL', async () => {
    const gateway = await gatewayWith({ jwksUrl: `${upstream.url}/jwks.json` });
    const { response } = await chat(gateway, await sign(signer, { sub: 'nurse-joy' }));
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.identity.userId, 'nurse-joy');
    assert.deepEqual(event.identity.verified, ['userId']);
    assert.ok(upstream.requests.some((request) => request.url === '/jwks.json'));
  });
});
