import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawPublicKey } from './checkpoint.js';

/** The file in the data folder that holds the ledger's signing key when no path is configured. */
export const LEDGER_KEY_FILE = 'ledger-key.pem';

/** The ledger's signing key, its raw public key, and whether this call created it. */
export type LedgerKey = { privateKey: KeyObject; publicKey: Buffer; pem: string; created: boolean };

/**
 * The Ed25519 key that signs checkpoints: read from `keyPath` if configured, else the one kept
 * in the data folder, else a new one written there (PKCS #8 PEM, owner-only).
 */
export function ledgerKey(dataFolder: string, keyPath: string | undefined): LedgerKey {
  const file = keyPath ?? join(dataFolder, LEDGER_KEY_FILE);
  if (keyPath !== undefined || existsSync(file)) return readKey(file);

  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  return { privateKey, publicKey: rawPublicKey(privateKey), pem, created: true };
}

/** Reads a PEM Ed25519 private key. */
export function readKey(file: string): LedgerKey {
  const pem = readFileSync(file, 'utf8');
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(
      `ledger key ${file}: expected an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'none'}`,
    );
  }
  return { privateKey, publicKey: rawPublicKey(privateKey), pem, created: false };
}
