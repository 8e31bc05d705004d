import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/schema.js';
import { VIRTUAL_KEY_PREFIX, type CallerKey } from '../identity/headers.js';
import { applyJwt, createJwtVerifier, looksLikeJwt, type JwtVerifier } from '../identity/jwt.js';
import {
  applyKey,
  keyAllowsModel,
  keyStatus,
  refusalMessage,
  type VirtualKey,
} from '../identity/keys.js';
import type { Call } from './call.js';
import type { GatewayContext } from './context.js';
import { AUTH_HEADERS } from './headers.js';
import type { Refusal } from './reject.js';

/** How the gateway authenticated a call: the virtual key it used, or a refusal to answer. */
export type Authentication = { key: VirtualKey | null } | { refusal: Refusal };

/**
 * Authenticates a call that presents a virtual key: an unknown, expired or revoked key is
 * refused (401, naming which, never the key); a valid one makes its bindings the call's
 * verified identity. A call without a virtual key passes unchanged, for `auth.requireKey` to
 * judge. The headers that carried a virtual key are removed, so that none goes upstream.
 */
export async function authenticateCall(
  context: GatewayContext,
  call: Call,
  key: CallerKey | null,
  headers: IncomingHttpHeaders,
): Promise<Authentication> {
  if (context.jwt && key?.header === 'authorization' && looksLikeJwt(key.key)) {
    return authenticateJwt(context.jwt, call, key.key, headers);
  }
  if (!key?.key.startsWith(VIRTUAL_KEY_PREFIX)) return { key: null };
  dropVirtualKeys(headers, context.jwt !== null);
  call.identity = { ...call.identity, authMethod: 'virtual_key' };
  if (key.header === 'query') {
    // The query string goes upstream as it is; a key there would leave with it.
    const message = 'a virtual key is accepted in a header, never in the query string';
    return { refusal: { status: 401, code: 'invalid_api_key', message } };
  }

  const found = await context.keys.resolve(key.key);
  const status = keyStatus(found, new Date());
  if (!status.usable) {
    if (found) call.identity = { ...call.identity, keyId: found.id };
    const message = refusalMessage(status.reason, found);
    return { refusal: { status: 401, code: 'invalid_api_key', message } };
  }

  const applied = applyKey(call.identity, call.attribution, found as VirtualKey);
  call.identity = applied.identity;
  call.attribution = applied.attribution;
  return { key: found };
}

/**
 * Authenticates a bearer JWT: a token that fails verification is refused (401, naming the
 * check that failed); a valid one makes its user (and team) the call's verified identity. The
 * token never goes upstream: the gateway's provider key serves the call.
 */
async function authenticateJwt(
  verify: JwtVerifier,
  call: Call,
  token: string,
  headers: IncomingHttpHeaders,
): Promise<Authentication> {
  delete headers.authorization;
  call.identity = { ...call.identity, authMethod: 'jwt' };
  const verified = await verify(token);
  if ('failure' in verified) {
    const unavailable = verified.failure === 'unavailable';
    const status = unavailable ? 503 : 401;
    const code = unavailable ? 'identity_unavailable' : 'invalid_api_key';
    return { refusal: { status, code, message: verified.message } };
  }
  const applied = applyJwt(call.identity, call.attribution, verified);
  call.identity = applied.identity;
  call.attribution = applied.attribution;
  return { key: null };
}

/** The verifier `auth.jwt` configures, or `null`; a JWKS file that cannot be read stops start. */
export function jwtVerifierFor(config: Config): JwtVerifier | null {
  if (!config.auth.jwt) return null;
  try {
    return createJwtVerifier(config.auth.jwt);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError([`auth.jwt.jwksFile: cannot be read as a JWKS (${reason})`]);
  }
}

/** A refusal when the call's key is bound to models and the call names another (or none). */
export function refuseModel(call: Call, key: VirtualKey | null): Refusal | null {
  if (!key || keyAllowsModel(key, call.request.model)) return null;
  const allowed = (key.models ?? []).join(', ');
  const asked = call.request.model === null ? 'none the gateway can read' : call.request.model;
  const message = `model: this key allows ${allowed}, got ${asked.slice(0, 64)}`;
  return { status: 403, code: 'model_not_allowed', message };
}

/**
 * `auth.requireKey` when the configuration leaves it out: required as soon as the gateway
 * listens beyond loopback, where anyone who reaches it could spend the keys it holds.
 */
export function requireKeyByDefault(host: string): boolean {
  const address = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (address === 'localhost') return false;
  if (isIP(address) === 4) return !address.startsWith('127.');
  return !(address === '::1' || address.startsWith('::ffff:127.'));
}

/** Removes every auth header holding a virtual key, and a bearer JWT where JWTs are in use. */
function dropVirtualKeys(headers: IncomingHttpHeaders, jwtInUse: boolean): void {
  for (const name of AUTH_HEADERS) {
    const value = headers[name];
    const text = (Array.isArray(value) ? value.join(',') : (value ?? '')).replace(
      /^Bearer\s+/i,
      '',
    );
    const isJwt = jwtInUse && name === 'authorization' && looksLikeJwt(text);
    if (text.startsWith(VIRTUAL_KEY_PREFIX) || isJwt) delete headers[name];
  }
}
