import type { ProviderApi, ProviderFamily } from '../types.js';
import { errorBody, errorHeaders } from './errors.js';
import { CONVERSE_PATH, parseRequest } from './request.js';
import { parseResponse } from './response.js';
import { createStreamAssembler } from './stream.js';

export { describeError, errorBody, errorHeaders } from './errors.js';
export { converseTarget } from './request.js';

/**
 * Amazon Bedrock `POST /model/{modelId}/converse` and `/converse-stream`. The path names the
 * model and whether the call streams; a stream comes as AWS event-stream frames.
 */
export const converseApi: ProviderApi = {
  endpoint: 'converse',
  streamContentType: 'application/vnd.amazon.eventstream',
  responseIdHeader: 'x-amzn-requestid',
  parseRequest,
  parseResponse,
  createStreamAssembler,
};

/** Amazon Bedrock Runtime. */
export const bedrockFamily: ProviderFamily = {
  types: ['bedrock'],
  apiFor(method, path) {
    if (method.toUpperCase() !== 'POST') return null;
    return CONVERSE_PATH.test(path.split('?', 1)[0] ?? '') ? converseApi : null;
  },
  errorBody,
  errorHeaders,
};
