import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Attribution, Identity } from '../event/types.js';

/** `auth.jwt`: where the signing keys are, what the tokens must say, and which claims to read. */
export type JwtSettings = {
  jwksFile?: string | undefined;
  jwksUrl?: string | undefined;
  issuer: string;
  audience: string | string[];
  /** Claim names (a dotted path reaches into an object claim) for user, team and roles. */
  claims: { user: string; team?: string | undefined; roles?: string | undefined };
};

/** A verified token: the claims the gateway reads from it. */
export type VerifiedJwt = {
  user: string;
  team: string | null;
  /** The roles claim as a list (a single string is one role); empty when not mapped. */
  roles: string[];
  claims: Record<string, unknown>;
};

/** Why a token was refused: `unavailable` when the keys could not be fetched (our side). */
export type JwtFailure = { failure: 'invalid' | 'unavailable'; message: string };

/** Verifies bearer JWTs against the configured JWKS, issuer and audience. */
export type JwtVerifier = (token: string) => Promise<VerifiedJwt | JwtFailure>;

/** Whether a bearer value has the shape of a signed JWT (three base64url parts, JSON header). */
export function looksLikeJwt(value: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}

/**
 * A verifier for `settings`. A JWKS file is read once, at start; a JWKS URL is fetched when
 * first needed and again when a token names a key it does not hold (jose's cache).
 */
export function createJwtVerifier(settings: JwtSettings): JwtVerifier {
  const keys: JWTVerifyGetKey = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl))
    : createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile ?? '', 'utf8')) as JSONWebKeySet);

  return async function verifyJwt(token) {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
      }));
    } catch (error) {
      return describeFailure(error);
    }
    const user = claimAt(payload, settings.claims.user);
    if (typeof user !== 'string' || user === '') {
      return { failure: 'invalid', message: `the token has no '${settings.claims.user}' claim` };
    }
    const team = settings.claims.team ? claimAt(payload, settings.claims.team) : undefined;
    const roles = settings.claims.roles ? claimAt(payload, settings.claims.roles) : undefined;
    return {
      user,
      team: typeof team === 'string' && team !== '' ? team : null,
      roles: (Array.isArray(roles) ? roles : [roles]).filter(
        (role): role is string => typeof role === 'string',
      ),
      claims: recordedClaims(payload, settings),
    };
  };
}

/**
 * The identity of a call made with a verified token: user (and team, if mapped) are verified;
 * a header that claimed another user or team is kept in `identity.asserted`.
 */
export function applyJwt(
  identity: Identity,
  attribution: Attribution,
  verified: VerifiedJwt,
): { identity: Identity; attribution: Attribution } {
  const asserted: Record<string, string> = { ...identity.asserted };
  if (identity.userId !== null && identity.userId !== verified.user) {
    asserted.userId = identity.userId;
  }
  const claimedTeam = identity.teamId ?? attribution.teamId;
  if (verified.team !== null && claimedTeam !== null && claimedTeam !== verified.team) {
    asserted.teamId = claimedTeam;
  }
  const teamId = verified.team ?? identity.teamId;
  return {
    identity: {
      ...identity,
      userId: verified.user,
      teamId,
      authMethod: 'jwt',
      verified: verified.team === null ? ['userId'] : ['userId', 'teamId'],
      asserted: Object.keys(asserted).length > 0 ? asserted : null,
      claims: verified.claims,
    },
    attribution: {
      ...attribution,
      userId: verified.user,
      teamId: verified.team ?? attribution.teamId,
    },
  };
}

/**
 * The claims an event keeps: issuer, subject, audience, expiry, and those the configuration
 * maps. The rest of a token (e-mail, names, groups) is personal data nobody asked to record.
 */
function recordedClaims(payload: JWTPayload, settings: JwtSettings): Record<string, unknown> {
  const recorded: Record<string, unknown> = {};
  const names = ['iss', 'sub', 'aud', 'exp', ...Object.values(settings.claims)];
  for (const name of names) {
    if (name === undefined) continue;
    const value = claimAt(payload, name);
    if (value !== undefined) recorded[name] = value;
  }
  return recorded;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** jose's error codes, in words; the token itself is never repeated. */
function describeFailure(error: unknown): JwtFailure {
  const { code, claim } = error as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { failure: 'invalid', message: 'the token expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return {
        failure: 'invalid',
        message: `the token's ${String(claim)} claim is not what this gateway accepts`,
      };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return {
        failure: 'invalid',
        message: 'the token is not signed by a key this gateway trusts',
      };
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return { failure: 'unavailable', message: 'the signing keys could not be read' };
    default:
      if (error instanceof TypeError) {
        return { failure: 'unavailable', message: 'the signing keys could not be fetched' };
      }
      return { failure: 'invalid', message: 'the token is not a valid signed jwt' };
  }
}
