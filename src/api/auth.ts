import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { hashToken, type Role } from '../identity/tokens.js';
import type { Store } from '../store/types.js';
import { ApiError } from './errors.js';

/** Who is calling the API: the admin token of the data folder, or a person's token. */
export type Principal = {
  /** The token's id; `null` for the admin token, which has no record. */
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

    const token = await store.findToken(hashToken(presented));
    if (!token) throw new ApiError(401, 'unauthorized', 'the bearer token is not valid');
    if (token.revokedAt !== null) {
      const message = `the bearer token ${token.id} was revoked at ${token.revokedAt}`;
      throw new ApiError(401, 'unauthorized', message);
    }
    return { tokenId: token.id, name: token.name, role: token.role, teams: token.teams };
  };
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
