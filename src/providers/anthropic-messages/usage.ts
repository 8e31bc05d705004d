import type { Usage, UsageSource } from '../../event/types.js';
import { isRecord, numberOrNull } from '../json.js';
import { missingUsage } from '../../event/records.js';

/**
 * Normalises an Anthropic `usage` object. Anthropic's `input_tokens` leave out the tokens
 * read from and written to the prompt cache, so the input total adds both back, as the
 * GenAI conventions count input. Anthropic does not report reasoning tokens apart.
 */
export function normaliseUsage(usage: unknown, source: UsageSource = 'provider'): Usage {
  if (!isRecord(usage)) return missingUsage();
  const input = numberOrNull(usage.input_tokens);
  const cacheRead = numberOrNull(usage.cache_read_input_tokens);
  const cacheWrite = numberOrNull(usage.cache_creation_input_tokens);
  return {
    inputTokens: input === null ? null : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: numberOrNull(usage.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: null,
    source,
    raw: usage,
  };
}
