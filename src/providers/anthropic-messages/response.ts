import type { OutputMessage, ToolCall } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedResponse } from '../types.js';
import { normaliseFinishReason, refusalFor } from './finish-reason.js';
import { blockParts } from './request.js';
import { normaliseUsage } from './usage.js';

/** Reads a whole (non-streamed) Anthropic Messages body. Never throws on odd shapes. */
export function parseResponse(body: unknown): ParsedResponse {
  const response = recordOrEmpty(body);
  const blocks = arrayOrEmpty(response.content).filter(isRecord);
  const stopReason = stringOrNull(response.stop_reason);
  const output: OutputMessage[] =
    blocks.length > 0 || stopReason !== null
      ? [
          {
            role: stringOrNull(response.role) ?? 'assistant',
            parts: blocks.flatMap(blockParts),
            finishReason: stopReason,
          },
        ]
      : [];

  return {
    id: nonEmptyStringOrNull(response.id),
    model: nonEmptyStringOrNull(response.model),
    systemFingerprint: null,
    output,
    toolCalls: clientToolCalls(blocks),
    finishReasons: stopReason === null ? [] : [stopReason],
    finishReason: normaliseFinishReason(stopReason),
    refusal: refusalFor(stopReason, response.stop_details),
    usage: normaliseUsage(response.usage),
    error: response.type === 'error' && isRecord(response.error) ? response.error : null,
  };
}

/**
 * The tool calls the caller is asked to run (`tool_use` blocks). Server tools (web search,
 * code execution) ran at Anthropic; they stay in the output as `tool_call` parts.
 */
export function clientToolCalls(blocks: Record<string, unknown>[]): ToolCall[] {
  return blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      id: stringOrNull(block.id),
      name: stringOrNull(block.name) ?? '',
      arguments: block.input ?? null,
    }));
}
