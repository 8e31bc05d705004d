import type { FinishReason } from '../../event/types.js';
import { nonEmptyStringOrNull, recordOrEmpty, stringOrNull } from '../json.js';

/** Output items that hand the turn back to the caller to run a tool. */
const CLIENT_TOOL_CALLS = new Set(['function_call', 'custom_tool_call']);

/**
 * A response's finish reason as the provider gives it: the `incomplete_details.reason` of
 * an incomplete response, else its `status`; `null` while it is still queued or running.
 */
export function providerFinishReason(response: Record<string, unknown>): string | null {
  const status = stringOrNull(response.status);
  switch (status) {
    case null:
    case 'queued':
    case 'in_progress':
      return null;
    case 'incomplete':
      return nonEmptyStringOrNull(recordOrEmpty(response.incomplete_details).reason) ?? status;
    default:
      return status;
  }
}

/**
 * Maps a Responses finish reason to the event's; a completed response whose last output
 * item is a function or custom tool call stopped for the caller to run it.
 */
export function normaliseFinishReason(
  reason: string | null,
  lastItem: Record<string, unknown> | undefined,
): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case 'completed':
      return CLIENT_TOOL_CALLS.has(stringOrNull(lastItem?.type) ?? '') ? 'tool_call' : 'stop';
    case 'max_output_tokens':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'failed':
      return 'error';
    default:
      // cancelled, an incomplete response without a reason, and any status added later.
      return 'other';
  }
}
