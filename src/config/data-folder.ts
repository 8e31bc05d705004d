import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * The key of the privacy gate's pseudonyms, generated once into the data folder, so that the
 * same value gets the same pseudonym across calls, traces and restarts of this gateway.
 */
export function pseudonymKey(folder: string): Buffer {
  const kept = keptValue(join(folder, 'pseudonym-key'), () =>
    randomBytes(32).toString('base64url'),
  );
  return Buffer.from(kept.value, 'base64url');
}

function keptValue(file: string, generate: () => string): KeptValue {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return { value, created: true };
}

/** Another gateway process holds the data folder. */
export class DataFolderInUseError extends Error {
  readonly code = 'data_folder_in_use';

  constructor(folder: string, pid: number) {
    super(
      `the data folder ${folder} is in use by another gateway (process ${pid}); stop it, or ` +
        `remove ${LOCK_FILE} there if no gateway runs`,
    );
    this.name = 'DataFolderInUseError';
  }
}

const LOCK_FILE = 'gateway.lock';

/**
 * Takes the data folder for this process, so that a second gateway on the same folder cannot
 * run start-up recovery over calls the first is still serving. A lock left by a process that
 * no longer runs is taken over. Returns the function that releases it.
 */
export function lockDataFolder(folder: string): () => void {
  const file = join(folder, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && isRunning(holder)) {
        throw new DataFolderInUseError(folder, holder);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock file ${file}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A killed process stays a zombie until its parent reaps it, and signals still reach it; on
 * Linux its state in /proc says so. Elsewhere it counts as running.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
