import type { FinishReason } from '../../event/types.js';
import { nonEmptyStringOrNull, recordOrEmpty } from '../json.js';

/** Maps an Anthropic `stop_reason` to the event's finish reason; `null` when none was sent. */
export function normaliseFinishReason(reason: string | null): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    // model_context_window_exceeded: the context window filled up, a cut for length too.
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_call';
    case 'refusal':
      return 'content_filter';
    default:
      // pause_turn (a server tool loop paused) and any reason added later.
      return 'other';
  }
}

/** The refusal for a `refusal` stop: `stop_details.explanation`, else the word itself. */
export function refusalFor(reason: string | null, stopDetails: unknown): string | null {
  if (reason !== 'refusal') return null;
  return nonEmptyStringOrNull(recordOrEmpty(stopDetails).explanation) ?? 'refusal';
}
