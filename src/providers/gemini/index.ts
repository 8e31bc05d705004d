import type { ProviderApi, ProviderFamily } from '../types.js';
import { errorBody } from './errors.js';
import { MODEL_PATH, parseRequest } from './request.js';
import { parseResponse } from './response.js';
import { createStreamAssembler } from './stream.js';

export { describeError, errorBody } from './errors.js';

/**
 * Gemini `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent` (and the
 * same under `/v1`). The path names the model and whether the call streams.
 */
export const generateContentApi: ProviderApi = {
  endpoint: 'generate_content',
  streamsJson: true,
  parseRequest,
  parseResponse,
  createStreamAssembler,
};

/** Google's Gemini API, whose model paths carry the model name, so a pattern tells them. */
export const geminiFamily: ProviderFamily = {
  types: ['gemini'],
  apiFor(method, path) {
    if (method.toUpperCase() !== 'POST') return null;
    return MODEL_PATH.test(path.split('?', 1)[0] ?? '') ? generateContentApi : null;
  },
  errorBody,
};
