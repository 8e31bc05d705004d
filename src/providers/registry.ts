import type { ProviderType } from '../event/types.js';
import {
  describeError as describeAnthropicError,
  errorBody as anthropicErrorBody,
  messagesApi,
} from './anthropic-messages/index.js';
import { describeError as describeGeminiError, geminiFamily } from './gemini/index.js';
import {
  chatCompletionsApi,
  describeError as describeOpenaiError,
  errorBody as openaiErrorBody,
} from './openai-chat/index.js';
import { embeddingsApi } from './openai-embeddings/index.js';
import { responsesApi } from './openai-responses/index.js';
import type { ProviderApi, ProviderFamily } from './types.js';

/** A family whose APIs are told apart by an exact `POST` path. */
function familyOfPaths(
  types: ProviderType[],
  paths: Record<string, ProviderApi>,
  errorBody: ProviderFamily['errorBody'],
): ProviderFamily {
  return {
    types,
    apiFor(method, path) {
      if (method.toUpperCase() !== 'POST') return null;
      return paths[path.split('?', 1)[0] ?? ''] ?? null;
    },
    errorBody,
  };
}

/** OpenAI and the servers that speak its API (vLLM, Ollama, DeepSeek, Mistral, Groq ...). */
export const openaiFamily = familyOfPaths(
  ['openai', 'openai-compatible'],
  {
    '/v1/chat/completions': chatCompletionsApi,
    '/v1/responses': responsesApi,
    '/v1/embeddings': embeddingsApi,
  },
  openaiErrorBody,
);

/** Anthropic's own API. */
export const anthropicFamily = familyOfPaths(
  ['anthropic'],
  { '/v1/messages': messagesApi },
  anthropicErrorBody,
);

/** The family of APIs a provider type speaks; `null` for types not parsed yet. */
export function familyFor(type: ProviderType): ProviderFamily | null {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
      return openaiFamily;
    case 'anthropic':
      return anthropicFamily;
    case 'gemini':
      return geminiFamily;
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
    case 'gemini':
      return describeGeminiError(body);
    default:
      return null;
  }
}
