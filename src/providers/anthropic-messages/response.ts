import type { OutputMessage, ToolCall, Usage } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedResponse } from '../types.js';
import { blockParts } from './content.js';
import { normaliseFinishReason, refusalFor } from './finish-reason.js';
import { retrievedDocuments } from './retrieval.js';
import { normaliseUsage } from './usage.js';

/** A message with its content blocks whole, as a body sends it or a stream builds it up. */
export type AssembledMessage = {
  id: string | null;
  model: string | null;
  role: string | null;
  blocks: Record<string, unknown>[];
  stopReason: string | null;
  stopDetails: unknown;
  usage: Usage;
  error: Record<string, unknown> | null;
};

/** Reads a whole (non-streamed) Anthropic Messages body. Never throws on odd shapes. */
export function parseResponse(body: unknown): ParsedResponse {
  const response = recordOrEmpty(body);
  return responseFromMessage({
    id: nonEmptyStringOrNull(response.id),
    model: nonEmptyStringOrNull(response.model),
    role: stringOrNull(response.role),
    blocks: arrayOrEmpty(response.content).filter(isRecord),
    stopReason: stringOrNull(response.stop_reason),
    stopDetails: response.stop_details,
    usage: normaliseUsage(response.usage),
    error: response.type === 'error' && isRecord(response.error) ? response.error : null,
  });
}

/** What a message says, read the same way whether it was streamed or not. */
export function responseFromMessage(message: AssembledMessage): ParsedResponse {
  const { blocks, stopReason } = message;
  const output: OutputMessage[] =
    blocks.length > 0 || stopReason !== null
      ? [
          {
            role: message.role ?? 'assistant',
            parts: blocks.flatMap(blockParts),
            finishReason: stopReason,
          },
        ]
      : [];

  return {
    id: message.id,
    model: message.model,
    systemFingerprint: null,
    output,
    toolCalls: clientToolCalls(blocks),
    finishReasons: stopReason === null ? [] : [stopReason],
    finishReason: normaliseFinishReason(stopReason),
    refusal: refusalFor(stopReason, message.stopDetails),
    usage: message.usage,
    retrieval: retrievedDocuments(blocks),
    error: message.error,
  };
}

/**
 * The tool calls the caller is asked to run (`tool_use` blocks). Server tools (web search,
 * code execution) ran at Anthropic; they stay in the output as `tool_call` parts.
 */
function clientToolCalls(blocks: Record<string, unknown>[]): ToolCall[] {
  return blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      id: stringOrNull(block.id),
      name: stringOrNull(block.name) ?? '',
      arguments: block.input ?? null,
    }));
}
