import type { Usage } from '../../event/types.js';
import { isRecord, numberOrNull } from '../json.js';
import { missingUsage } from '../../event/records.js';

/**
 * Normalises an embeddings `usage` object. Embeddings read input and produce no output
 * tokens, so the output count is `null` (not zero: the provider does not report one).
 */
export function normaliseUsage(usage: unknown): Usage {
  if (!isRecord(usage)) return missingUsage();
  return {
    inputTokens: numberOrNull(usage.prompt_tokens),
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    source: 'provider',
    raw: usage,
  };
}
