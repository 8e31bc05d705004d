import type { FinishReason } from '../../event/types.js';

/**
 * Maps a Gemini candidate's `finishReason` to the event's finish reason; `null` when none was
 * sent. Gemini ends a turn that calls functions with `STOP`, so a candidate that called any
 * function and stopped is a tool call.
 */
export function normaliseFinishReason(
  reason: string | null,
  calledFunctions: boolean,
): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case 'STOP':
      return calledFunctions ? 'tool_call' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    // The image variants and Vertex AI's Model Armor are content filters as well.
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
    case 'MODEL_ARMOR':
      return 'content_filter';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
      return 'error';
    default:
      // LANGUAGE, OTHER, TOO_MANY_TOOL_CALLS, FINISH_REASON_UNSPECIFIED and any added later.
      return 'other';
  }
}
