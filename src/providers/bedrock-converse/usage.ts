import type { Usage, UsageSource } from '../../event/types.js';
import { isRecord, numberOrNull } from '../json.js';
import { missingUsage } from '../../event/records.js';

/**
 * Normalises a Bedrock `TokenUsage` object (API_runtime_TokenUsage). Bedrock's `inputTokens`
 * leave out the tokens read from and written to the prompt cache, as Anthropic's do:
 * `totalTokens` is input + output + cache read + cache write (AWS's prompt caching guide,
 * docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html, and the correction in
 * github.com/anomalyco/opencode pull 38427, "AWS reports inputTokens separately from cache
 * reads and writes"). So the input total adds both back, as the GenAI conventions count input.
 * Bedrock does not report reasoning tokens apart from output.
 */
export function normaliseUsage(usage: unknown, source: UsageSource = 'provider'): Usage {
  if (!isRecord(usage)) return missingUsage();
  const input = numberOrNull(usage.inputTokens);
  const cacheRead = numberOrNull(usage.cacheReadInputTokens);
  const cacheWrite = numberOrNull(usage.cacheWriteInputTokens);
  return {
    inputTokens: input === null ? null : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: numberOrNull(usage.outputTokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: null,
    source,
    raw: usage,
  };
}
