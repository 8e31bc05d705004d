import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// RFC 9110 section 7.6.1: hop-by-hop fields are meant for one connection only.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Caller credentials; removed when the gateway sends its own key instead. */
export const AUTH_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'];

function connectionTokens(headers: { connection?: string | string[] }): Set<string> {
  const value = headers.connection;
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(list.split(',').map((token) => token.trim().toLowerCase()));
}

/**
 * The headers sent upstream: the caller's, minus hop-by-hop fields, `host`, HTTP/2
 * pseudo-headers, the length (the client recomputes it), and every `x-auditgate-*` header
 * except those in `keep`.
 */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  options: { keep?: string[]; drop?: string[] } = {},
): Record<string, string | string[]> {
  const named = connectionTokens(headers);
  const drop = new Set(options.drop ?? []);
  const result: Record<string, string | string[]> = {};

  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || drop.has(name)) continue;
    if (name === 'host' || name === 'content-length' || name === 'expect') continue;
    // HTTP/2's pseudo-headers (`:method`, `:path` ...) belong to the caller's connection.
    if (name.startsWith(':')) continue;
    if (name.startsWith('x-auditgate-') && !options.keep?.includes(name)) continue;
    result[name] = value;
  }
  return result;
}

/**
 * The headers sent back to the client: the upstream's minus hop-by-hop fields and the fields
 * its `connection` header names.
 */
export function clientHeaders(
  headers: Record<string, string | string[] | undefined>,
  options: { dropLength: boolean },
): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (options.dropLength && name === 'content-length') continue;
    result[name] = value;
  }
  return result;
}
