import type { ProviderApi, ProviderFamily } from '../types.js';
import { errorBody } from './errors.js';
import { parseRequest } from './request.js';
import { parseResponse } from './response.js';
import { createStreamAssembler } from './stream.js';

export { describeError, errorBody } from './errors.js';
export { createUsageChunkFilter, requestStreamUsage } from './stream-usage.js';

/** OpenAI chat completions, `POST /v1/chat/completions`. */
export const chatCompletionsApi: ProviderApi = {
  endpoint: 'chat.completions',
  parseRequest,
  parseResponse,
  createStreamAssembler,
};

/** OpenAI and the servers that speak its API (vLLM, Ollama, DeepSeek, Mistral, Groq ...). */
export const openaiFamily: ProviderFamily = {
  types: ['openai', 'openai-compatible'],
  apiFor(method, path) {
    const pathname = path.split('?', 1)[0];
    if (method.toUpperCase() === 'POST' && pathname === '/v1/chat/completions') {
      return chatCompletionsApi;
    }
    return null;
  },
  errorBody,
};
