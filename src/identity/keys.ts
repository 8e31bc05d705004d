import { createHash, randomBytes } from 'node:crypto';
import type { ActorType, Attribution, Identity } from '../event/types.js';
import { VIRTUAL_KEY_PREFIX } from './headers.js';

/**
 * A virtual key as the gateway stores it: its bindings and its life, never the key itself.
 * The fields the key binds are the ones an event records as verified.
 */
export type VirtualKey = {
  id: string;
  teamId: string;
  appId: string;
  agentId: string | null;
  actorType: ActorType | null;
  project: string | null;
  businessUnit: string | null;
  /** The models the key may call; `null` for any model. */
  models: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
};

/** What a new key binds; the rest of `VirtualKey` is the gateway's to fill. */
export type KeyBindings = Omit<VirtualKey, 'id' | 'createdAt' | 'revokedAt'>;

/** Random bytes in a key's secret: 256 bits, so that the key cannot be guessed. */
const SECRET_BYTES = 32;

/**
 * A new key's text (`agk_` and 43 base64url characters) and the hash that is stored in its
 * place. The text is shown once and kept nowhere.
 */
export function generateKey(): { key: string; secretHash: string } {
  const key = `${VIRTUAL_KEY_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key, secretHash: hashKey(key) };
}

/**
 * The stored form of a key: hex SHA-256. A slow password hash (scrypt, argon2) protects secrets
 * people choose, which are few enough to try one by one; a 256-bit random secret is not, so
 * one SHA-256 keeps it as safe, and lets the gateway find a key by its hash in an index in
 * microseconds on every call.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Why a presented key does not authenticate its caller. */
export type KeyRefusalReason = 'unknown' | 'expired' | 'revoked';

/** Whether a stored key (or `null` for none found) may be used at `now`. */
export function keyStatus(
  key: VirtualKey | null,
  now: Date,
): { usable: true } | { usable: false; reason: KeyRefusalReason } {
  if (!key) return { usable: false, reason: 'unknown' };
  if (key.revokedAt !== null) return { usable: false, reason: 'revoked' };
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) {
    return { usable: false, reason: 'expired' };
  }
  return { usable: true };
}

/** The lower-case sentence a refused caller (and the event) reads; never the key itself. */
export function refusalMessage(reason: KeyRefusalReason, key: VirtualKey | null): string {
  switch (reason) {
    case 'unknown':
      return 'the virtual key is not known to this gateway';
    case 'expired':
      return `the virtual key ${key?.id ?? ''} expired at ${key?.expiresAt ?? ''}`;
    case 'revoked':
      return `the virtual key ${key?.id ?? ''} was revoked at ${key?.revokedAt ?? ''}`;
  }
}

/** Identity and attribution fields a key can bind, by the names `verified` lists. */
type BoundField = 'teamId' | 'appId' | 'agentId' | 'actorType' | 'project' | 'businessUnit';

/**
 * The identity and attribution of a call made with `key`: what the key binds replaces what
 * headers asserted, and is listed in `identity.verified` with `keyId`; a header that claimed
 * another value is kept in `identity.asserted`, under the field's name.
 */
export function applyKey(
  identity: Identity,
  attribution: Attribution,
  key: VirtualKey,
): { identity: Identity; attribution: Attribution } {
  const claimed: Record<BoundField, string | null> = {
    teamId: identity.teamId ?? attribution.teamId,
    appId: identity.appId ?? attribution.appId,
    agentId: identity.agentId ?? attribution.agentId,
    actorType: identity.actorType,
    project: attribution.project,
    businessUnit: attribution.businessUnit,
  };
  const verified: string[] = [];
  const asserted: Record<string, string> = { ...identity.asserted };
  for (const field of Object.keys(claimed) as BoundField[]) {
    const bound = key[field];
    if (bound === null) continue;
    verified.push(field);
    const claim = claimed[field];
    if (claim !== null && claim !== bound) asserted[field] = claim;
  }
  verified.push('keyId');

  const bound = <Value>(value: Value | null, fallback: Value | null) => value ?? fallback;
  return {
    identity: {
      ...identity,
      teamId: key.teamId,
      appId: key.appId,
      agentId: bound(key.agentId, identity.agentId),
      actorType: bound(key.actorType, identity.actorType),
      authMethod: 'virtual_key',
      verified,
      asserted: Object.keys(asserted).length > 0 ? asserted : null,
      keyId: key.id,
    },
    attribution: {
      ...attribution,
      teamId: key.teamId,
      appId: key.appId,
      agentId: bound(key.agentId, attribution.agentId),
      project: bound(key.project, attribution.project),
      businessUnit: bound(key.businessUnit, attribution.businessUnit),
    },
  };
}

/** Whether a key bound to models may call `model` (`null`: the gateway could not read one). */
export function keyAllowsModel(key: VirtualKey, model: string | null): boolean {
  return key.models === null || (model !== null && key.models.includes(model));
}
