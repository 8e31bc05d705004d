import type { OutputMessage, ToolCall, Usage } from '../../event/types.js';
import { arrayOrEmpty, isRecord, recordOrEmpty, stringOrNull } from '../json.js';
import type { ParsedResponse } from '../types.js';
import { blockParts } from './content.js';
import { normaliseFinishReason } from './finish-reason.js';
import { normaliseUsage } from './usage.js';

/** A message with its content blocks whole, as a body sends it or a stream builds it up. */
export type AssembledMessage = {
  role: string | null;
  blocks: Record<string, unknown>[];
  stopReason: string | null;
  usage: Usage;
  error: Record<string, unknown> | null;
};

/**
 * Reads a whole Converse response body (API_runtime_Converse, Response Syntax). Bedrock sends
 * no response id and does not name the model that answered, so both stay `null`.
 */
export function parseResponse(body: unknown): ParsedResponse {
  const response = recordOrEmpty(body);
  const message = recordOrEmpty(recordOrEmpty(response.output).message);
  return responseFromMessage({
    role: stringOrNull(message.role),
    blocks: arrayOrEmpty(message.content).filter(isRecord),
    stopReason: stringOrNull(response.stopReason),
    usage: normaliseUsage(response.usage),
    error: null,
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
    id: null,
    model: null,
    systemFingerprint: null,
    output,
    toolCalls: toolCalls(blocks),
    finishReasons: stopReason === null ? [] : [stopReason],
    finishReason: normaliseFinishReason(stopReason),
    refusal: null,
    usage: message.usage,
    retrieval: null,
    error: message.error,
  };
}

function toolCalls(blocks: Record<string, unknown>[]): ToolCall[] {
  return blocks
    .map((block) => block.toolUse)
    .filter(isRecord)
    .map((toolUse) => ({
      id: stringOrNull(toolUse.toolUseId),
      name: stringOrNull(toolUse.name) ?? '',
      arguments: toolUse.input ?? null,
    }));
}
