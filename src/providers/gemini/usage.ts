import type { Usage, UsageSource } from '../../event/types.js';
import { isRecord, numberOrNull } from '../json.js';
import { missingUsage } from '../../event/records.js';

/**
 * Normalises a Gemini `usageMetadata` object. `promptTokenCount` already includes the cached
 * tokens (`cachedContentTokenCount`); the tokens of tool results Gemini fed back to itself
 * (`toolUsePromptTokenCount`) are input too. `candidatesTokenCount` leaves out the thinking
 * tokens (`thoughtsTokenCount`), which the GenAI conventions count as output, so output adds
 * them. The input and output then add up to Gemini's `totalTokenCount`.
 */
export function normaliseUsage(usage: unknown, source: UsageSource = 'provider'): Usage {
  if (!isRecord(usage)) return missingUsage();
  const prompt = numberOrNull(usage.promptTokenCount);
  const toolUsePrompt = numberOrNull(usage.toolUsePromptTokenCount);
  const candidates = numberOrNull(usage.candidatesTokenCount);
  const thoughts = numberOrNull(usage.thoughtsTokenCount);
  return {
    inputTokens: prompt === null ? null : prompt + (toolUsePrompt ?? 0),
    outputTokens:
      candidates === null && thoughts === null ? null : (candidates ?? 0) + (thoughts ?? 0),
    cacheReadTokens: numberOrNull(usage.cachedContentTokenCount),
    // Gemini writes caches through its own API (cachedContents), never during a call.
    cacheWriteTokens: null,
    reasoningTokens: thoughts,
    source,
    raw: usage,
  };
}
