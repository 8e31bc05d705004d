import type { Usage, UsageSource } from '../../event/types.js';
import { isRecord, numberOrNull, recordOrEmpty } from '../json.js';
import { missingUsage } from '../../event/records.js';

/**
 * Normalises a Responses `usage` object. `input_tokens` already include cached tokens and
 * `output_tokens` already include reasoning tokens, as the GenAI conventions count them.
 */
export function normaliseUsage(usage: unknown, source: UsageSource = 'provider'): Usage {
  if (!isRecord(usage)) return missingUsage();
  const inputDetails = recordOrEmpty(usage.input_tokens_details);
  const outputDetails = recordOrEmpty(usage.output_tokens_details);
  return {
    inputTokens: numberOrNull(usage.input_tokens),
    outputTokens: numberOrNull(usage.output_tokens),
    cacheReadTokens: numberOrNull(inputDetails.cached_tokens),
    cacheWriteTokens: numberOrNull(inputDetails.cache_write_tokens),
    reasoningTokens: numberOrNull(outputDetails.reasoning_tokens),
    source,
    raw: usage,
  };
}

/**
 * The usage of a stream that carried several responses, one after another: the counts
 * added up, and `raw` the list of the provider's objects. `partial` when some response
 * ended without usage.
 */
export function combineUsage(usages: (Record<string, unknown> | null)[]): Usage {
  const reported = usages.filter((usage): usage is Record<string, unknown> => usage !== null);
  const source: UsageSource = reported.length === usages.length ? 'provider' : 'partial';
  if (reported.length === 0) return missingUsage();
  if (usages.length === 1) return normaliseUsage(reported[0], source);

  const each = reported.map((usage) => normaliseUsage(usage));
  const total = (pick: (usage: Usage) => number | null): number | null =>
    each.reduce<number | null>((sum, usage) => {
      const value = pick(usage);
      return value === null ? sum : (sum ?? 0) + value;
    }, null);
  return {
    inputTokens: total((usage) => usage.inputTokens),
    outputTokens: total((usage) => usage.outputTokens),
    cacheReadTokens: total((usage) => usage.cacheReadTokens),
    cacheWriteTokens: total((usage) => usage.cacheWriteTokens),
    reasoningTokens: total((usage) => usage.reasoningTokens),
    source,
    raw: reported,
  };
}
