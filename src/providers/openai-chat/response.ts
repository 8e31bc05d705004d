import type { OutputMessage } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedResponse } from '../types.js';
import { normaliseFinishReason } from './finish-reason.js';
import { messageParts, toolCalls } from './request.js';
import { normaliseUsage } from './usage.js';

/** Reads a whole (non-streamed) OpenAI chat completion body. Never throws on odd shapes. */
export function parseResponse(body: unknown): ParsedResponse {
  const response = recordOrEmpty(body);
  const choices = arrayOrEmpty(response.choices).filter(isRecord);
  const output = choices.map(parseChoice);
  const finishReasons = output
    .map((message) => message.finishReason)
    .filter((reason): reason is string => reason !== null);
  const refusals = choices
    .map((choice) => nonEmptyStringOrNull(recordOrEmpty(choice.message).refusal))
    .filter((refusal): refusal is string => refusal !== null);

  return {
    id: nonEmptyStringOrNull(response.id),
    model: nonEmptyStringOrNull(response.model),
    systemFingerprint: nonEmptyStringOrNull(response.system_fingerprint),
    output,
    toolCalls: choices.flatMap((choice) => toolCalls(recordOrEmpty(choice.message))),
    finishReasons,
    finishReason: normaliseFinishReason(output[0]?.finishReason ?? null),
    refusal: refusals[0] ?? null,
    usage: normaliseUsage(response.usage),
    error: isRecord(response.error) ? response.error : null,
  };
}

function parseChoice(choice: Record<string, unknown>): OutputMessage {
  const message = recordOrEmpty(choice.message);
  return {
    role: stringOrNull(message.role) ?? 'assistant',
    parts: messageParts(message),
    finishReason: stringOrNull(choice.finish_reason),
  };
}
