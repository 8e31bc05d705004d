import type { Config } from '../config/schema.js';
import { DEFAULT_STRATEGIES, encryptionKeyFromToken, type ProtectionSettings } from './protect.js';

/** The privacy gate's settings from the configuration, the data folder's key and the token. */
export function protectionSettings(
  config: Pick<Config, 'privacy'>,
  pseudonymKey: Buffer,
  adminToken: string,
): ProtectionSettings {
  const { regions, names, strategies, defaultStrategy } = config.privacy;
  return {
    scan: { regions, names },
    strategies: { ...DEFAULT_STRATEGIES, ...strategies },
    defaultStrategy,
    pseudonymKey,
    encryptionKey: encryptionKeyFromToken(adminToken),
  };
}
