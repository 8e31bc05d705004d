/**
 * Checkpoints in the C2SP tlog-checkpoint text format, signed as a C2SP signed note with
 * Ed25519: the origin line, the tree size, the base64 root hash, a blank line, then one
 * signature line `— <key name> <base64(key id || signature)>`.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A checkpoint's content: which log, how many leaves, and their root hash. */
export type Checkpoint = { origin: string; treeSize: number; rootHash: Buffer };

/** A signed-note verifying key: its name and raw 32-byte Ed25519 public key. */
export type NoteVerifier = { name: string; publicKey: Buffer };

/** Why a note did not verify. */
export type NoteFailure = 'malformed' | 'unknown_key' | 'bad_signature' | 'malformed_checkpoint';

/** The signature-type byte for Ed25519 in signed-note key ids (C2SP signed-note). */
const ED25519_TYPE = 0x01;

/** U+2014 and a space: how every signature line begins. */
const SIGNATURE_PREFIX = '\u2014 ';

/** The checkpoint body: origin, size and base64 root, each on its own line, newline-ended. */
export function checkpointBody(checkpoint: Checkpoint): string {
  if (checkpoint.origin.includes('\n') || checkpoint.origin === '') {
    throw new RangeError(
      `origin: expected one non-empty line, got ${JSON.stringify(checkpoint.origin)}`,
    );
  }
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString('base64')}\n`;
}

/** The 4-byte key id: SHA-256(key name || 0x0A || 0x01 || public key), first 4 bytes. */
export function keyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The raw 32-byte Ed25519 public key of a key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('key: expected an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** The key object of a raw 32-byte Ed25519 public key. */
export function publicKeyFromRaw(publicKey: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
}

/** Signs `text` (newline-ended) as a signed note under `keyName`, returning the whole note. */
export function signNote(text: string, keyName: string, privateKey: KeyObject): string {
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const id = keyId(keyName, rawPublicKey(privateKey));
  const encoded = Buffer.concat([id, signature]).toString('base64');
  return `${text}\n${SIGNATURE_PREFIX}${keyName} ${encoded}\n`;
}

/** Signs a checkpoint with `privateKey` under `keyName`, returning the whole signed note. */
export function signCheckpoint(
  checkpoint: Checkpoint,
  keyName: string,
  privateKey: KeyObject,
): string {
  return signNote(checkpointBody(checkpoint), keyName, privateKey);
}

/** A verified note's text, or why it failed. */
export type OpenedNote = { ok: true; text: string } | { ok: false; failure: NoteFailure };

/** A verified checkpoint, or why the note failed. */
export type OpenedCheckpoint =
  { ok: true; checkpoint: Checkpoint } | { ok: false; failure: NoteFailure };

/**
 * Verifies a signed note against `verifier`. Signature lines from other keys are ignored, as
 * the signed-note format asks; one from this key must be there and verify.
 */
export function openNote(note: string, verifier: NoteVerifier): OpenedNote {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, failure: 'malformed' };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const id = keyId(verifier.name, verifier.publicKey);

  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, failure: 'malformed' };
    const [name, encoded, ...extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (!name || !encoded || extra.length > 0) return { ok: false, failure: 'malformed' };
    const bytes = Buffer.from(encoded, 'base64');
    if (name !== verifier.name || bytes.length < 4 || !bytes.subarray(0, 4).equals(id)) continue;
    const key = publicKeyFromRaw(verifier.publicKey);
    const valid = verify(null, Buffer.from(text, 'utf8'), key, bytes.subarray(4));
    return valid ? { ok: true, text } : { ok: false, failure: 'bad_signature' };
  }
  return { ok: false, failure: 'unknown_key' };
}

/** Verifies a signed checkpoint note against `verifier` and parses its body. */
export function openCheckpoint(note: string, verifier: NoteVerifier): OpenedCheckpoint {
  const opened = openNote(note, verifier);
  if (!opened.ok) return opened;
  const checkpoint = parseCheckpointBody(opened.text);
  return checkpoint ? { ok: true, checkpoint } : { ok: false, failure: 'malformed_checkpoint' };
}

/** Reads a checkpoint body without verifying anything; `null` if it is not one. */
export function parseCheckpointBody(body: string): Checkpoint | null {
  const [origin, size, root] = body.split('\n');
  if (!origin || !size || root === undefined || !/^(0|[1-9][0-9]*)$/.test(size)) return null;
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) return null;
  return { origin, treeSize: Number(size), rootHash };
}
