import type { ProviderApi } from '../types.js';
import { parseRequest } from './request.js';
import { parseResponse } from './response.js';
import { createStreamAssembler } from './stream.js';

export { describeError, errorBody } from './errors.js';

/** OpenAI embeddings, `POST /v1/embeddings`. */
export const embeddingsApi: ProviderApi = {
  endpoint: 'embeddings',
  parseRequest,
  parseResponse,
  createStreamAssembler,
};
