// The embeddings API answers errors in the same shape as chat completions.
export { describeError, errorBody } from '../openai-chat/errors.js';
