import type { ProviderApi } from '../types.js';
import { parseRequest } from './request.js';
import { parseResponse } from './response.js';
import { createStreamAssembler } from './stream.js';

export { describeError, errorBody } from './errors.js';

/** OpenAI Responses, `POST /v1/responses`. */
export const responsesApi: ProviderApi = {
  endpoint: 'responses',
  parseRequest,
  parseResponse,
  createStreamAssembler,
};
