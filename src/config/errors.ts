/** A configuration that cannot start the gateway; the message names each bad key. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';

  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
