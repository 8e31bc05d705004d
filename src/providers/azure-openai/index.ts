import { chatCompletionsApi, errorBody } from '../openai-chat/index.js';
import { embeddingsApi } from '../openai-embeddings/index.js';
import { responsesApi } from '../openai-responses/index.js';
import type { ProviderApi, ProviderFamily } from '../types.js';
import { azureTarget, onDeployment } from './request.js';

export { describeError, errorBody } from '../openai-chat/index.js';
export { azureTarget } from './request.js';

/**
 * The OpenAI APIs on their Azure paths. Azure answers in OpenAI's shapes, with content filter
 * results added (`prompt_filter_results`, `content_filter_results`), which the OpenAI parsers
 * pass over.
 */
const APIS: Record<string, ProviderApi> = {
  'chat/completions': onDeployment(chatCompletionsApi),
  embeddings: onDeployment(embeddingsApi),
  responses: onDeployment(responsesApi),
};

/** Azure OpenAI, in OpenAI's error shape (Azure's own errors use it too). */
export const azureFamily: ProviderFamily = {
  types: ['azure'],
  apiFor(method, path) {
    if (method.toUpperCase() !== 'POST') return null;
    const target = azureTarget(path);
    return target ? (APIS[target.operation] ?? null) : null;
  },
  errorBody,
};
