import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  looksLikeJwt,
  type JwtFailure,
  type JwtVerifier,
  type VerifiedJwt,
} from '../identity/jwt.js';
import { hashToken, ROLES, type Role } from '../identity/tokens.js';
import type { Store } from '../store/types.js';
import { ApiError } from './errors.js';

/** Who is calling the API: the admin token of the data folder, a person's token or JWT. */
export type Principal = {
  /** The token's id; `null` for the admin token and JWTs, which have no record. */
  tokenId: string | null;
  name: string;
  role: Role;
  /** The teams whose events it reads; `null` for every team. */
  teams: string[] | null;
};

const ADMIN: Principal = { tokenId: null, name: 'admin token', role: 'admin', teams: null };

const principals = new WeakMap<FastifyRequest, Principal>();

/**
 * Checks the bearer token of an API request: the admin token (an admin), or a person's token
 * looked up in the store on each request, so that a revocation applies to the next one.
 */
export function createTokenCheck(
  adminToken: string,
  store: Pick<Store, 'findToken'>,
  jwt: JwtVerifier | null = null,
): (authorization: string | undefined) => Promise<Principal> {
  const expected = digest(adminToken);
  return async function checkToken(authorization) {
    const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    const presented = match?.[1]?.trim();
    if (!presented) {
      throw new ApiError(401, 'unauthorized', 'a bearer token is required');
    }
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (timingSafeEqual(digest(presented), expected)) return ADMIN;
    if (jwt && looksLikeJwt(presented)) return jwtPrincipal(await jwt(presented));

    const token = await store.findToken(hashToken(presented));
    if (!token) throw new ApiError(401, 'unauthorized', 'the bearer token is not valid');
    if (token.revokedAt !== null) {
      const message = `the bearer token ${token.id} was revoked at ${token.revokedAt}`;
      throw new ApiError(401, 'unauthorized', message);
    }
    return { tokenId: token.id, name: token.name, role: token.role, teams: token.teams };
  };
}

/**
 * A person signed in through the identity provider: the strongest role of `ROLES` the roles
 * claim grants; a viewer reads the team of its team claim (none without one).
 */
function jwtPrincipal(verified: VerifiedJwt | JwtFailure): Principal {
  if ('failure' in verified) {
    const status = verified.failure === 'unavailable' ? 503 : 401;
    const code = verified.failure === 'unavailable' ? 'identity_unavailable' : 'unauthorized';
    throw new ApiError(status, code, verified.message);
  }
  const role = ROLES.find((name) => verified.roles.includes(name));
  if (!role) {
    const message = `role: the token grants none of ${ROLES.join(', ')}`;
    throw new ApiError(403, 'forbidden', message);
  }
  const teams = role === 'viewer' ? (verified.team === null ? [] : [verified.team]) : null;
  return { tokenId: null, name: verified.user, role, teams };
}

/** Whether `principal` is the data folder's admin token, not a person's token or a JWT. */
export function isAdminToken(principal: Principal): boolean {
  return principal === ADMIN;
}

/** Remembers who sent `request`, for the route's role check and its handler. */
export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** Who sent `request`; every API request has passed the token check before its handler. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new ApiError(401, 'unauthorized', 'a bearer token is required');
  return principal;
}

/** Refuses (403) a request whose token's role is not among `roles`. */
export function requireRole(request: FastifyRequest, roles: readonly Role[]): void {
  const { role } = principalOf(request);
  if (roles.includes(role)) return;
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  const message = `role: ${route} takes ${roles.join(' or ')}, got ${role}`;
  throw new ApiError(403, 'forbidden', message);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
