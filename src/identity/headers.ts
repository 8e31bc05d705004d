import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ActorType, Attribution, AuthMethod, Identity } from '../event/types.js';

/** The prefix that tells a virtual key from provider keys and JWTs. */
export const VIRTUAL_KEY_PREFIX = 'agk_';

const ACTOR_TYPES: readonly string[] = ['human', 'agent', 'service'];

/** The credential a caller presented, and where. The key itself never leaves this object. */
export type CallerKey = { header: string; key: string; fingerprint: string };

/** A short, non-reversible fingerprint of a key, safe to store and log. */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** The key in the provider's own auth header or in `x-auditgate-key`, if any. */
export function callerKey(headers: IncomingHttpHeaders): CallerKey | null {
  const candidates: [string, string | undefined][] = [
    ['x-auditgate-key', single(headers['x-auditgate-key'])],
    ['authorization', bearer(single(headers.authorization))],
    ['x-api-key', single(headers['x-api-key'])],
    ['x-goog-api-key', single(headers['x-goog-api-key'])],
    ['api-key', single(headers['api-key'])],
  ];
  for (const [header, key] of candidates) {
    if (key) return { header, key, fingerprint: keyFingerprint(key) };
  }
  return null;
}

/** What the request's headers and body assert about who is calling. Nothing is verified yet. */
export function identityFromRequest(input: {
  headers: IncomingHttpHeaders;
  key: CallerKey | null;
  bodyUserId: string | null;
  clientAddress: string | null;
}): Identity {
  const { headers, key } = input;
  const authMethod: AuthMethod = key ? 'provider_key' : 'none';
  const actor = single(headers['x-auditgate-actor'])?.toLowerCase();

  return {
    userId: single(headers['x-auditgate-user']) ?? input.bodyUserId,
    sessionId: single(headers['x-auditgate-session']) ?? null,
    agentId: single(headers['x-auditgate-agent']) ?? null,
    appId: single(headers['x-auditgate-app']) ?? null,
    teamId: null,
    actorType: actor && ACTOR_TYPES.includes(actor) ? (actor as ActorType) : null,
    authMethod,
    verified: [],
    asserted: null,
    keyId: null,
    keyFingerprint: key?.fingerprint ?? null,
    clientAddress: input.clientAddress,
    userAgent: single(headers['user-agent']) ?? null,
  };
}

/**
 * Attribution from the identity and the `x-auditgate-team`, `-business-unit`, `-project` and
 * `-tags` headers. Every tag header counts (`tagHeaders`: each `x-auditgate-tags` header as
 * sent, from `request.headersDistinct`), and tags are never cut short, so none is dropped.
 */
export function attributionFromRequest(
  headers: IncomingHttpHeaders,
  identity: Identity,
  tagHeaders: readonly string[] = [],
): Attribution {
  const tags: Record<string, string> = {};
  for (const header of tagHeaders) Object.assign(tags, parseTags(asUtf8(header)));
  return {
    // TODO(#7): the team of the key or claim used for the call, verified, wins over the header.
    teamId: identity.teamId ?? single(headers['x-auditgate-team']) ?? null,
    businessUnit: single(headers['x-auditgate-business-unit']) ?? null,
    project: single(headers['x-auditgate-project']) ?? null,
    appId: identity.appId,
    agentId: identity.agentId,
    userId: identity.userId,
    tags,
  };
}

/** Parses `key=value` pairs separated by `;`; a pair without `=` is kept with an empty value. */
export function parseTags(header: string | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of header?.split(';') ?? []) {
    const separator = pair.indexOf('=');
    const name = (separator < 0 ? pair : pair.slice(0, separator)).trim();
    if (!name) continue;
    tags[name] = separator < 0 ? '' : pair.slice(separator + 1).trim();
  }
  return tags;
}

/** Longest value kept from an attribution header; ids longer than this are not ids. */
const MAX_HEADER_VALUE = 1024;

function single(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? asUtf8(trimmed).slice(0, MAX_HEADER_VALUE) : undefined;
}

/**
 * Node reads header bytes as Latin-1; clients send UTF-8 (`é` arrives as `Ã©`). Decode it
 * back when the bytes are valid UTF-8, and keep the text as it came otherwise.
 */
function asUtf8(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text)) return text;
  const decoded = Buffer.from(text, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? text : decoded;
}

function bearer(value: string | undefined): string | undefined {
  const match = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
  return match?.[1]?.trim() || undefined;
}

/** Query parameters that carry credentials (Gemini's `key`, SAS and presigned signatures...). */
const SECRET_PARAMETERS = new Set([
  'key',
  'api_key',
  'apikey',
  'api-key',
  'access_token',
  'token',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

/**
 * The path as it may be recorded: each credential in the query string replaced by
 * `[redacted]`. Also returns the first credential found, to be fingerprinted.
 */
export function redactQuery(path: string): { path: string; key: string | null } {
  const question = path.indexOf('?');
  if (question < 0) return { path, key: null };

  let key: string | null = null;
  const pairs = path
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const name = separator < 0 ? pair : pair.slice(0, separator);
      if (separator < 0 || !SECRET_PARAMETERS.has(safeDecode(name).toLowerCase())) return pair;
      key ??= safeDecode(pair.slice(separator + 1)) || null;
      return `${name}=[redacted]`;
    });
  return { path: `${path.slice(0, question)}?${pairs.join('&')}`, key };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
