import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A value kept in the data folder, and whether this start created it. */
export type KeptValue = { value: string; created: boolean };

/** Creates the data folder if needed (owner-only permissions). */
export function ensureDataFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
}

/**
 * The admin token: from the configuration if set, else the one kept in the data folder,
 * else a new one written there. The caller prints a new token once.
 */
export function adminToken(folder: string, configured: string | undefined): KeptValue {
  if (configured) return { value: configured, created: false };
  return keptValue(
    join(folder, 'admin-token'),
    () => `agt_${randomBytes(24).toString('base64url')}`,
  );
}

/** This gateway's instance id (its ledger log), generated once and kept across restarts. */
export function instanceId(folder: string, configured: string | undefined): KeptValue {
  if (configured) return { value: configured, created: false };
  return keptValue(join(folder, 'instance-id'), () => `gw-${randomBytes(6).toString('hex')}`);
}

function keptValue(file: string, generate: () => string): KeptValue {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return { value, created: true };
}
