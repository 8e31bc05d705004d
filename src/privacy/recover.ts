import { createDecipheriv } from 'node:crypto';

/** What a recovery did: how many encrypted values it decrypted, and how many it could not. */
export type Recovery<Value> = { value: Value; decrypted: number; undecryptable: number };

/** `[TYPE:enc:<base64url>]`, the placeholder of the `encrypt` strategy. */
const ENCRYPTED = /\[([A-Z_]+):enc:([A-Za-z0-9_-]*)\]/g;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Replaces every `encrypt` placeholder in the strings of `value` (an event, its content, any
 * JSON) with the value it holds, decrypted with `key`. A placeholder that does not decrypt (a
 * wrong key, a tampered or cut ciphertext) stays as it is and is counted, never thrown.
 */
export function recoverEncrypted<Value>(value: Value, key: Buffer): Recovery<Value> {
  let decrypted = 0;
  let undecryptable = 0;
  const recoverText = (text: string) =>
    text.replace(ENCRYPTED, (placeholder, _type: string, sealed: string) => {
      const plain = decrypt(sealed, key);
      if (plain === null) {
        undecryptable += 1;
        return placeholder;
      }
      decrypted += 1;
      return plain;
    });
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return item.includes(':enc:') ? recoverText(item) : item;
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([name, inner]) => [name, walk(inner)]));
    }
    return item;
  };
  return { value: walk(value) as Value, decrypted, undecryptable };
}

/** AES-256-GCM open of base64url(IV, ciphertext, tag); `null` when it does not authenticate. */
function decrypt(sealed: string, key: Buffer): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
