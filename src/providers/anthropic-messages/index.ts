import type { ProviderApi } from '../types.js';
import { parseRequest } from './request.js';
import { parseResponse } from './response.js';
import { createStreamAssembler } from './stream.js';

export { describeError, errorBody } from './errors.js';

/** Anthropic Messages, `POST /v1/messages`. */
export const messagesApi: ProviderApi = {
  endpoint: 'messages',
  parseRequest,
  parseResponse,
  createStreamAssembler,
};
