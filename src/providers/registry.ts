import type { ProviderType } from '../event/types.js';
import {
  describeError as describeAnthropicError,
  errorBody as anthropicErrorBody,
  messagesApi,
} from './anthropic-messages/index.js';
import { azureFamily } from './azure-openai/index.js';
import { bedrockFamily, describeError as describeBedrockError } from './bedrock-converse/index.js';
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

/** The family of APIs a provider type speaks. */
export function familyFor(type: ProviderType): ProviderFamily {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
      return openaiFamily;
    case 'anthropic':
      return anthropicFamily;
    case 'gemini':
      return geminiFamily;
    case 'azure':
      return azureFamily;
    case 'bedrock':
      return bedrockFamily;
  }
}

/**
 * Names a provider's error body by its type and code (never its message, which can echo
 * prompt text); `null` when the body is not that provider's error shape. Bedrock names its
 * exception in the `x-amzn-errortype` header, passed as `errorType`.
 */
export function describeError(
  type: ProviderType,
  body: unknown,
  errorType: string | null = null,
): string | null {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
    case 'azure':
      return describeOpenaiError(body);
    case 'bedrock':
      return describeBedrockError(body, errorType);
    case 'anthropic':
      return describeAnthropicError(body);
    case 'gemini':
      return describeGeminiError(body);
  }
}
