import type { ProviderApi, ProviderFamily } from '../types.js';
import { errorBody } from './errors.js';
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

/** Anthropic's own API. */
export const anthropicFamily: ProviderFamily = {
  types: ['anthropic'],
  apiFor(method, path) {
    const pathname = path.split('?', 1)[0];
    if (method.toUpperCase() === 'POST' && pathname === '/v1/messages') return messagesApi;
    return null;
  },
  errorBody,
};
