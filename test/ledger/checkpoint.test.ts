import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  keyId,
  openCheckpoint,
  openNote,
  rawPublicKey,
  signCheckpoint,
  signNote,
} from '../../src/ledger/checkpoint.js';
import {
  canonicalJson,
  commitContent,
  contentMatches,
  leafBytes,
  newSalt,
} from '../../src/ledger/leaf.js';

// The example key and note of golang.org/x/mod/sumdb/note (its ExampleSign and ExampleOpen).
const EXAMPLE_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(
  1,
);
const EXAMPLE_PUBLIC = Buffer.from(
  'ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  'base64',
).subarray(1);
const EXAMPLE_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const EXAMPLE_NOTE =
  `${EXAMPLE_TEXT}\n` +
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

function keyFromSeed(seed: Buffer) {
  // PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410 section 7).
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

describe('signed notes', () => {
  it('computes the example key id c74f20a3', () => {
    assert.equal(keyId('PeterNeumann', EXAMPLE_PUBLIC).toString('hex'), 'c74f20a3');
  });

  it('signs the example text exactly as the reference note', () => {
    const privateKey = keyFromSeed(EXAMPLE_SEED);
    assert.deepEqual(rawPublicKey(privateKey), EXAMPLE_PUBLIC);
    assert.equal(signNote(EXAMPLE_TEXT, 'PeterNeumann', privateKey), EXAMPLE_NOTE);
  });

  it('opens the example note, and refuses it changed or under another key', () => {
    const verifier = { name: 'PeterNeumann', publicKey: EXAMPLE_PUBLIC };
    assert.deepEqual(openNote(EXAMPLE_NOTE, verifier), { ok: true, text: EXAMPLE_TEXT });
    const changed = EXAMPLE_NOTE.replace('answer', 'Answer');
    assert.deepEqual(openNote(changed, verifier), { ok: false, failure: 'bad_signature' });
    const other = { name: 'PeterNeumann', publicKey: Buffer.alloc(32, 7) };
    assert.deepEqual(openNote(EXAMPLE_NOTE, other), { ok: false, failure: 'unknown_key' });
  });

  it('writes a checkpoint as origin, size and base64 root, then the signature line', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const rootHash = Buffer.alloc(32, 0xab);
    const note = signCheckpoint(
      { origin: 'auditgate/gw-1', treeSize: 42, rootHash },
      'auditgate/gw-1',
      privateKey,
    );
    const lines = note.split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      'auditgate/gw-1',
      '42',
      'q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=',
      '',
    ]);
    assert.match(lines[4]!, /^\u2014 auditgate\/gw-1 [A-Za-z0-9+/]{91}=$/);
    const opened = openCheckpoint(note, {
      name: 'auditgate/gw-1',
      publicKey: rawPublicKey(privateKey),
    });
    assert.ok(opened.ok);
    assert.equal(opened.checkpoint.treeSize, 42);
  });
});

describe('leaves', () => {
  it('writes RFC 8785 canonical JSON (sorted keys, no spaces)', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [true, null, 'x'], c: 1.5e3 }),
      '{"a":[true,null,"x"],"b":1,"c":1500}',
    );
  });

  it('commits to content with a lone surrogate (a cut emoji) as to U+FFFD, rather than failing', () => {
    const salt = '11'.repeat(32);
    const cut = { text: 'ok \ud83d' };
    assert.equal(canonicalJson(cut), '{"text":"ok \ufffd"}');
    // What the store writes and a verifier reads back is the JSON text; it commits the same.
    const readBack = JSON.parse(JSON.stringify(cut)) as unknown;
    assert.ok(contentMatches(readBack, salt, commitContent(cut, salt)));
  });

  it('draws a fresh 32-byte salt for every event, across refills of the salt pool', () => {
    const salts = Array.from({ length: 600 }, () => newSalt());
    assert.equal(new Set(salts).size, 600);
    for (const salt of salts) assert.match(salt, /^[0-9a-f]{64}$/);
  });

  it('leaves the ledger field out of the leaf and carries the leaf version', () => {
    const leaf = leafBytes({ id: 'e1', ledger: { logId: 'l', index: 3, leafHash: 'ff' } }, 'cc');
    assert.equal(
      leaf.toString(),
      '{"contentCommitment":"cc","envelope":{"id":"e1"},"leafVersion":1}',
    );
  });

  it('commits to content with HMAC-SHA-256 under the salt', () => {
    const salt = '00'.repeat(32);
    // HMAC-SHA-256 with a 32-byte zero key over '{"a":1}', computed with openssl:
    // printf '{"a":1}' | openssl dgst -sha256 -mac HMAC -macopt hexkey:00...00
    assert.equal(
      commitContent({ a: 1 }, salt),
      'e0baad27ae5335a93e2979e6693e7630de7d66b4d5bfd687cdbf1f0018f79cb8',
    );
    assert.ok(contentMatches({ a: 1 }, salt, commitContent({ a: 1 }, salt)));
    assert.ok(!contentMatches({ a: 2 }, salt, commitContent({ a: 1 }, salt)));
  });
});
