import type { FinishReason } from '../../event/types.js';

/**
 * Maps a Converse `stopReason` (API_runtime_ConverseOutput, StopReason) to the event's finish
 * reason; `null` when none was sent.
 */
export function normaliseFinishReason(reason: string | null): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_call';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      return 'error';
    default:
      return 'other';
  }
}
