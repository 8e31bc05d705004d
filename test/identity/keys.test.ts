import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireKeyByDefault } from '../../src/gateway/authenticate.js';
import { identityFromRequest, attributionFromRequest } from '../../src/identity/headers.js';
import { KeyRegistry } from '../../src/identity/key-registry.js';
import { applyKey, generateKey, keyStatus, type VirtualKey } from '../../src/identity/keys.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const KEY: VirtualKey = {
  id: '0193a1b2-0000-7000-8000-000000000001',
  teamId: 'team-a',
  appId: 'app-a',
  agentId: null,
  actorType: 'service',
  project: null,
  businessUnit: 'bu-a',
  models: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-06-01T00:00:00.000Z',
  revokedAt: null,
};

describe('virtual keys', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-keys-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('are agk_ and 256 random bits, stored as the hex SHA-256 of the whole text', () => {
    const { key, secretHash } = generateKey();
    assert.match(key, /^agk_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(key.slice(4), 'base64url').length, 32);
    assert.equal(secretHash, createHash('sha256').update(key).digest('hex'));
    assert.notEqual(generateKey().key, key);
  });

  it('are usable until they expire or are revoked', () => {
    assert.deepEqual(keyStatus(KEY, new Date('2026-05-31T23:59:59Z')), { usable: true });
    assert.deepEqual(keyStatus(KEY, new Date('2026-06-01T00:00:00Z')), {
      usable: false,
      reason: 'expired',
    });
    const revoked = { ...KEY, revokedAt: '2026-02-01T00:00:00.000Z' };
    assert.deepEqual(keyStatus(revoked, new Date('2026-01-02T00:00:00Z')), {
      usable: false,
      reason: 'revoked',
    });
    assert.deepEqual(keyStatus(null, new Date()), { usable: false, reason: 'unknown' });
  });

  it('verify what they bind and keep differing header claims as asserted', () => {
    const headers = {
      'x-auditgate-app': 'app-forged',
      'x-auditgate-actor': 'human',
      'x-auditgate-user': 'user-1',
      'x-auditgate-project': 'project-x',
    };
    const identity = identityFromRequest({
      headers,
      key: null,
      bodyUserId: null,
      clientAddress: null,
    });
    const applied = applyKey(identity, attributionFromRequest(headers, identity), KEY);

    assert.equal(applied.identity.appId, 'app-a');
    assert.equal(applied.identity.actorType, 'service');
    assert.equal(applied.identity.userId, 'user-1');
    assert.equal(applied.identity.authMethod, 'virtual_key');
    assert.deepEqual(applied.identity.verified, [
      'teamId',
      'appId',
      'actorType',
      'businessUnit',
      'keyId',
    ]);
    assert.deepEqual(applied.identity.asserted, { appId: 'app-forged', actorType: 'human' });
    // The key binds no project, so the header's stands (asserted, not listed as verified).
    assert.equal(applied.attribution.project, 'project-x');
    assert.equal(applied.attribution.businessUnit, 'bu-a');
  });

  it('are revoked at once though a lookup was cached', async () => {
    const store = openSqliteStore(join(folder, 'keys.db'));
    const registry = new KeyRegistry(store);
    const { key, record } = await registry.create(
      { ...KEY, expiresAt: null },
      new Date('2026-01-01T00:00:00Z'),
    );
    assert.equal((await registry.resolve(key))?.revokedAt, null);
    assert.equal((await registry.resolve(key))?.id, record.id);

    await registry.revoke(record.id, new Date('2026-01-02T00:00:00Z'));
    assert.equal((await registry.resolve(key))?.revokedAt, '2026-01-02T00:00:00.000Z');
    assert.equal(await registry.resolve(`${key}x`), null);
    assert.equal(await registry.revoke('no-such-key'), null);
    await store.close();
  });

  it('are required by default when the gateway listens beyond loopback', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      assert.equal(requireKeyByDefault(host), false, host);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'gateway.internal', '192.168.1.2']) {
      assert.equal(requireKeyByDefault(host), true, host);
    }
  });
});
