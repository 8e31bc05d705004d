import { randomBytes } from 'node:crypto';
import { hashKey } from './keys.js';

/**
 * What a person's API token may do. `admin`: everything; `auditor`: read everything;
 * `operator`: read metadata, never content (prompts, outputs, tool arguments, error bodies);
 * `viewer`: read the events of the teams the token names.
 */
export const ROLES = ['admin', 'auditor', 'operator', 'viewer'] as const;

export type Role = (typeof ROLES)[number];

/** A person's API token as stored: its name, role and teams; never the token itself. */
export type ApiToken = {
  id: string;
  name: string;
  role: Role;
  /** The teams whose events the token reads; `null` for every team. */
  teams: string[] | null;
  createdAt: string;
  revokedAt: string | null;
};

/** A new token's text (`agt_`, as the admin token) and the hash stored in its place. */
export function generateToken(): { token: string; secretHash: string } {
  const token = `agt_${randomBytes(32).toString('base64url')}`;
  return { token, secretHash: hashToken(token) };
}

/** The stored form of a token: hex SHA-256, as for virtual keys (256 random bits). */
export function hashToken(token: string): string {
  return hashKey(token);
}
