import type { Message } from '../../event/types.js';
import { nonEmptyStringOrNull, recordOrEmpty, stringOrNull } from '../json.js';
import type { ParsedRequest } from '../types.js';

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['input']);

/** Reads an OpenAI embeddings request body: one user message per input. Never throws. */
export function parseRequest(body: unknown): ParsedRequest {
  const request = recordOrEmpty(body);
  const inputs = inputTexts(request.input);
  return {
    model: stringOrNull(request.model),
    stream: false,
    parameters: Object.fromEntries(
      Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
    ),
    system: null,
    messages: (inputs ?? []).map((text): Message => ({
      role: 'user',
      parts: [{ type: 'text', content: text }],
    })),
    tools: null,
    retrieval: null,
    previousResponseId: null,
    userId: nonEmptyStringOrNull(request.user),
    inputCount: inputs === null ? null : inputs.length,
  };
}

/**
 * Each input as text: a string as sent, a list of token ids as `[tokens: N]` (the ids are
 * the text encoded, and are not kept). `null` when `input` is none of the documented shapes.
 */
function inputTexts(input: unknown): string[] | null {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return null;
  // One list of numbers is one input given as tokens; otherwise each entry is an input.
  if (input.length > 0 && input.every(isTokenId)) return [tokensText(input)];
  return input.flatMap((entry: unknown) => {
    if (typeof entry === 'string') return [entry];
    return Array.isArray(entry) && entry.every(isTokenId) ? [tokensText(entry)] : [];
  });
}

function isTokenId(value: unknown): boolean {
  return typeof value === 'number';
}

function tokensText(tokens: unknown[]): string {
  return `[tokens: ${tokens.length}]`;
}
