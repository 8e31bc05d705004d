import type { StreamAssembler } from '../types.js';
import { parseResponse } from './response.js';

/**
 * Embeddings are never streamed. Should a server stream one anyway, the assembler reads
 * nothing and reports an empty answer with usage missing.
 */
export function createStreamAssembler(): StreamAssembler {
  return {
    write() {},
    sawContent: false,
    finish() {
      return parseResponse(null);
    },
  };
}
