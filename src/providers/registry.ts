import type { ProviderType } from '../event/types.js';
import {
  anthropicFamily,
  describeError as describeAnthropicError,
} from './anthropic-messages/index.js';
import { describeError as describeOpenaiError, openaiFamily } from './openai-chat/index.js';
import type { ProviderFamily } from './types.js';

/** The family of APIs a provider type speaks; `null` for types not parsed yet. */
export function familyFor(type: ProviderType): ProviderFamily | null {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
      return openaiFamily;
    case 'anthropic':
      return anthropicFamily;
    default:
      return null;
  }
}

/**
 * Names a provider's error body by its type and code (never its message, which can echo
 * prompt text); `null` when the body is not that provider's error shape.
 */
export function describeError(type: ProviderType, body: unknown): string | null {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
      return describeOpenaiError(body);
    case 'anthropic':
      return describeAnthropicError(body);
    default:
      return null;
  }
}
