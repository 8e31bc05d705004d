import type { EventContent } from '../event/content.js';

/**
 * The one gate every piece of content passes before it reaches storage or an exporter.
 * Masking plugs in here.
 */
export function protectContent(content: EventContent): EventContent {
  // TODO(#5): detect and mask PII and secrets before storage; content is stored as received.
  return content;
}
