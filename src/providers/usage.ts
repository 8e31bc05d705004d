import type { Usage } from '../event/types.js';

/** Usage for a call where the provider reported none: every count `null`, source `missing`. */
export function missingUsage(): Usage {
  return {
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    source: 'missing',
    raw: null,
  };
}
