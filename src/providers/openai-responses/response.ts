import type { OutputMessage, Usage } from '../../event/types.js';
import { arrayOrEmpty, isRecord, nonEmptyStringOrNull, recordOrEmpty } from '../json.js';
import type { ParsedResponse } from '../types.js';
import { responseError } from './errors.js';
import { normaliseFinishReason, providerFinishReason } from './finish-reason.js';
import { itemParts, itemToolCalls } from './items.js';
import { retrievedDocuments } from './retrieval.js';
import { normaliseUsage } from './usage.js';

/** What a body or a stream said, before it is read into the record's shape. */
export type ResponseSummary = {
  id: string | null;
  model: string | null;
  /** Every output item, in order (of every response, when a stream carried several). */
  items: Record<string, unknown>[];
  /** The last response's output items: its last item says whether it stopped for a tool. */
  lastItems: Record<string, unknown>[];
  /** The provider's finish reason of each response that finished, in order. */
  finishReasons: string[];
  /** The last response's finish reason; `null` when it has not finished. */
  finishReason: string | null;
  usage: Usage;
  error: Record<string, unknown> | null;
};

/** Reads a whole (non-streamed) OpenAI Responses body. Never throws on odd shapes. */
export function parseResponse(body: unknown): ParsedResponse {
  const response = recordOrEmpty(body);
  const items = arrayOrEmpty(response.output).filter(isRecord);
  const finishReason = providerFinishReason(response);
  return summarise({
    id: nonEmptyStringOrNull(response.id),
    model: nonEmptyStringOrNull(response.model),
    items,
    lastItems: items,
    finishReasons: finishReason === null ? [] : [finishReason],
    finishReason,
    usage: normaliseUsage(response.usage),
    error: responseError(response),
  });
}

/**
 * The record's view of a response: one assistant message holding every item's parts
 * (reasoning summaries, text, tool calls as sent), the tool calls, and the documents the
 * provider's own search tools retrieved.
 */
export function summarise(summary: ResponseSummary): ParsedResponse {
  const { items, finishReason } = summary;
  const parts = items.flatMap(itemParts);
  const output: OutputMessage[] =
    parts.length > 0 || finishReason !== null ? [{ role: 'assistant', parts, finishReason }] : [];

  return {
    id: summary.id,
    model: summary.model,
    systemFingerprint: null,
    output,
    toolCalls: items.flatMap(itemToolCalls),
    finishReasons: summary.finishReasons,
    finishReason: normaliseFinishReason(finishReason, summary.lastItems.at(-1)),
    refusal: firstRefusal(items),
    usage: summary.usage,
    retrieval: retrievedDocuments(items),
    error: summary.error,
  };
}

function firstRefusal(items: Record<string, unknown>[]): string | null {
  const refusals = items
    .filter((item) => item.type === 'message')
    .flatMap((item) => arrayOrEmpty(item.content).filter(isRecord))
    .filter((part) => part.type === 'refusal')
    .map((part) => nonEmptyStringOrNull(part.refusal));
  return refusals.find((refusal) => refusal !== null) ?? null;
}
