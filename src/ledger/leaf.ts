/**
 * What a leaf of the ledger is: an event's envelope as RFC 8785 canonical JSON, beside a
 * salted commitment to its content, never the content itself.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import { hashLeaf, type Hash } from './merkle.js';

/**
 * The leaf layout. A leaf says which layout it uses, so that a later layout (or fields other
 * features add to the envelope) never changes how an old leaf is read back.
 */
export const LEAF_VERSION = 1;

/** Bytes of a content salt. */
const SALT_BYTES = 32;

/** An envelope as the leaf takes it: any JSON object; its `ledger` field is left out. */
export type LeafEnvelope = Record<string, unknown>;

/**
 * RFC 8785 canonical JSON of `value`. RFC 8785 has no form for a lone UTF-16 surrogate or a
 * non-finite number, which a prompt or a provider body can carry; such a value is first brought
 * to what JSON gives back (non-finite numbers `null`) with each lone surrogate as U+FFFD, so that
 * recording never fails on content and a verifier reading the stored JSON gets the same bytes.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch {
    text = canonicalize(wellFormed(JSON.parse(JSON.stringify(value)) as unknown));
  }
  if (text === undefined) throw new TypeError('value: expected JSON data, got undefined');
  return text;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormedString(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** JSON data with every string made well-formed (lone surrogates become U+FFFD). */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return wellFormedString(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[wellFormedString(key)] = wellFormed(item);
  return result;
}

/** Salts drawn from the system's generator at once, so each costs a slice, not a system call. */
const SALT_POOL_SIZE = 256;
let saltPool = Buffer.alloc(0);
let saltOffset = 0;

/** A new random salt for one event's content commitment, as hex. */
export function newSalt(): string {
  if (saltOffset + SALT_BYTES > saltPool.length) {
    saltPool = randomBytes(SALT_BYTES * SALT_POOL_SIZE);
    saltOffset = 0;
  }
  const salt = saltPool.toString('hex', saltOffset, saltOffset + SALT_BYTES);
  saltOffset += SALT_BYTES;
  return salt;
}

/** HMAC-SHA-256 of the content's canonical JSON, keyed by the event's salt, as hex. */
export function commitContent(content: unknown, saltHex: string): string {
  return createHmac('sha256', Buffer.from(saltHex, 'hex'))
    .update(canonicalJson(content))
    .digest('hex');
}

/** Whether `content` opens `commitment` with `saltHex`. */
export function contentMatches(content: unknown, saltHex: string, commitment: string): boolean {
  const expected = Buffer.from(commitContent(content, saltHex), 'hex');
  const actual = Buffer.from(commitment, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * The leaf's bytes: canonical JSON of `{leafVersion, envelope, contentCommitment}`, with the
 * envelope's own `ledger` field left out (it names the leaf, so it cannot be inside it).
 */
export function leafBytes(envelope: LeafEnvelope, contentCommitment: string | null): Buffer {
  const rest = { ...envelope };
  delete rest.ledger;
  const leaf = { leafVersion: LEAF_VERSION, envelope: rest, contentCommitment };
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

/** The leaf hash of an envelope and its commitment: SHA-256(0x00 || leaf). */
export function leafHashOf(envelope: LeafEnvelope, contentCommitment: string | null): Hash {
  return hashLeaf(leafBytes(envelope, contentCommitment));
}
