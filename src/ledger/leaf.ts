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
    text = fastCanonicalJson(value);
  } catch {
    text = undefined;
  }
  if (text !== undefined) return text;
  try {
    text = canonicalize(value);
  } catch {
    text = canonicalize(wellFormed(JSON.parse(JSON.stringify(value)) as unknown));
  }
  if (text === undefined) throw new TypeError('value: expected JSON data, got undefined');
  return text;
}

/** Raised by the fast path for what it leaves to the `canonicalize` package. */
class NotPlainJson extends Error {}

/** Node 20 has `String.prototype.isWellFormed`; the ES2023 library types do not name it. */
type WellFormedString = string & { isWellFormed(): boolean };

/**
 * RFC 8785 canonical JSON of plain JSON data (what a store record holds: objects, arrays,
 * strings, finite numbers, booleans, null, with `undefined` members left out and `toJSON`
 * honoured), several times faster than the `canonicalize` package on the append path. It
 * gives the package's bytes, which a test checks over varied events, odd numbers and
 * unicode; anything else (a lone surrogate, a non-finite number, a cycle, a function) throws
 * so that `canonicalJson` takes the package's path. Strings and numbers are serialised by
 * JSON.stringify, whose output for them RFC 8785 sections 3.2.2.2 and 3.2.2.3 adopt; object
 * members are sorted by UTF-16 code units, as `Array.prototype.sort` compares strings
 * (section 3.2.3).
 */
export function fastCanonicalJson(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (!(value as WellFormedString).isWellFormed()) throw new NotPlainJson();
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotPlainJson();
      // Number-to-string, which JSON.stringify uses for a finite number (-0 gives "0").
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new NotPlainJson();
  }
  // Deeper than any event; a cycle ends here rather than in a stack overflow.
  if (depth > 256) throw new NotPlainJson();
  const object = value as Record<string, unknown> & { toJSON?: unknown };
  if (typeof object.toJSON === 'function') {
    return fastCanonicalJson((object.toJSON as () => unknown)(), depth + 1);
  }
  if (Array.isArray(object)) {
    let text = '[';
    for (let index = 0; index < object.length; index += 1) {
      const item: unknown = object[index];
      if (index > 0) text += ',';
      text += item === undefined ? 'null' : fastCanonicalJson(item, depth + 1);
    }
    return text + ']';
  }
  let text = '{';
  let first = true;
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item === undefined) continue;
    if (!(key as WellFormedString).isWellFormed()) throw new NotPlainJson();
    text += `${first ? '' : ','}${JSON.stringify(key)}:${fastCanonicalJson(item, depth + 1)}`;
    first = false;
  }
  return text + '}';
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
