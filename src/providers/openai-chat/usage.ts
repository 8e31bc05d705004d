import type { Usage } from '../../event/types.js';
import { isRecord, numberOrNull, recordOrEmpty } from '../json.js';
import { missingUsage } from '../../event/records.js';

/**
 * Normalises an OpenAI chat `usage` object. OpenAI's `prompt_tokens` already include cached
 * tokens and `completion_tokens` already include reasoning tokens, as the GenAI conventions
 * count them, so both are taken as they are.
 */
export function normaliseUsage(usage: unknown): Usage {
  if (!isRecord(usage)) return missingUsage();
  const promptDetails = recordOrEmpty(usage.prompt_tokens_details);
  const completionDetails = recordOrEmpty(usage.completion_tokens_details);
  return {
    inputTokens: numberOrNull(usage.prompt_tokens),
    outputTokens: numberOrNull(usage.completion_tokens),
    cacheReadTokens: numberOrNull(promptDetails.cached_tokens),
    cacheWriteTokens: null,
    reasoningTokens: numberOrNull(completionDetails.reasoning_tokens),
    source: 'provider',
    raw: usage,
  };
}
