import type { ProviderApi } from '../types.js';
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
