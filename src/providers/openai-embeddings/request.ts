import type { Message, MessagePart } from '../../event/types.js';
import { nonEmptyStringOrNull, recordOrEmpty, stringOrNull } from '../json.js';
import type { ParsedRequest } from '../types.js';

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['input']);

/** Reads an OpenAI embeddings request body: one user message per input. Never throws. */
export function parseRequest(body: unknown): ParsedRequest {
  const request = recordOrEmpty(body);
  const inputs = inputParts(request.input);
  return {
    model: stringOrNull(request.model),
    stream: false,
    parameters: Object.fromEntries(
      Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
    ),
    system: null,
    messages: (inputs ?? []).map((part): Message => ({ role: 'user', parts: [part] })),
    tools: null,
    retrieval: null,
    previousResponseId: null,
    userId: nonEmptyStringOrNull(request.user),
    inputCount: inputs === null ? null : inputs.length,
  };
}

/**
 * Each input as a part: a string as text, a list of token ids as a `tokens` blob holding the
 * ids (they are the text, encoded). `null` when `input` is none of the documented shapes.
 */
function inputParts(input: unknown): MessagePart[] | null {
  if (typeof input === 'string') return [textPart(input)];
  if (!Array.isArray(input)) return null;
  // One list of numbers is one input given as tokens; otherwise each entry is an input.
  if (input.length > 0 && input.every(isTokenId)) return [tokensPart(input)];
  return input.flatMap((entry: unknown) => {
    if (typeof entry === 'string') return [textPart(entry)];
    return Array.isArray(entry) && entry.every(isTokenId) ? [tokensPart(entry)] : [];
  });
}

function isTokenId(value: unknown): boolean {
  return typeof value === 'number';
}

function textPart(text: string): MessagePart {
  return { type: 'text', content: text };
}

function tokensPart(tokens: unknown[]): MessagePart {
  return {
    type: 'blob',
    mimeType: 'application/json',
    modality: 'tokens',
    content: JSON.stringify(tokens),
  };
}
