import type { FinishReason } from '../../event/types.js';

/** Maps an OpenAI chat `finish_reason` to the event's finish reason; `null` when none was sent. */
export function normaliseFinishReason(reason: string | null): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_call';
    default:
      return 'other';
  }
}
