import { arrayOrEmpty, isRecord, nonEmptyStringOrNull, recordOrEmpty } from '../json.js';
import type { ParsedResponse } from '../types.js';
import { normaliseUsage } from './usage.js';

/** Bytes in one float32, the type of each number of a base64-encoded embedding. */
const FLOAT_BYTES = 4;

/**
 * Reads an OpenAI embeddings body. The vectors are never kept: only how many came back and
 * the length of the first. Never throws on odd shapes.
 */
export function parseResponse(body: unknown): ParsedResponse {
  const response = recordOrEmpty(body);
  const vectors = arrayOrEmpty(response.data).filter(isRecord);
  return {
    // OpenAI's embeddings carry no id; some compatible servers (vLLM) send one.
    id: nonEmptyStringOrNull(response.id),
    model: nonEmptyStringOrNull(response.model),
    systemFingerprint: null,
    output: [],
    toolCalls: [],
    finishReasons: [],
    finishReason: null,
    refusal: null,
    usage: normaliseUsage(response.usage),
    error: isRecord(response.error) ? response.error : null,
    embeddings: Array.isArray(response.data)
      ? { count: vectors.length, dimensions: dimensions(vectors[0]?.embedding) }
      : null,
  };
}

/** A vector's length: a list's, or for `encoding_format: base64` its count of float32s. */
function dimensions(embedding: unknown): number | null {
  if (Array.isArray(embedding)) return embedding.length;
  if (typeof embedding !== 'string') return null;
  // Buffer.byteLength reads the decoded size from the base64 text without decoding it.
  return Math.floor(Buffer.byteLength(embedding, 'base64') / FLOAT_BYTES);
}
