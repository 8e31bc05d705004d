/**
 * A small scanner that finds where the members of a JSON object lie in its bytes, so that a
 * body can be edited in one place without re-serialising (and so changing) any other byte.
 * It works on UTF-8 bytes directly: every structural character is ASCII, and no byte of a
 * multi-byte character is below 0x80, so strings are skipped without decoding them.
 */
import { parseJson } from './json.js';

/** One `"key": value` member: the decoded key and the byte span of its value. */
export type MemberSpan = { key: string; valueStart: number; valueEnd: number };

/** An object's members in order, and the index of its closing brace. */
export type ObjectSpan = { closeIndex: number; members: MemberSpan[] };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The index of the first byte at or after `index` that is not JSON whitespace. */
export function skipWhitespace(bytes: Uint8Array, index: number): number {
  let position = index;
  while (position < bytes.length && isWhitespace(bytes[position])) position += 1;
  return position;
}

/** The members of the object whose `{` is at `start`; `null` when no such object is there. */
export function scanObject(bytes: Uint8Array, start: number): ObjectSpan | null {
  if (bytes[start] !== OPEN_BRACE) return null;
  const members: MemberSpan[] = [];
  let index = skipWhitespace(bytes, start + 1);
  if (bytes[index] === CLOSE_BRACE) return { closeIndex: index, members };

  for (;;) {
    const keyEnd = bytes[index] === QUOTE ? stringEnd(bytes, index) : -1;
    const key =
      keyEnd === -1
        ? undefined
        : parseJson(new TextDecoder().decode(bytes.subarray(index, keyEnd)));
    if (typeof key !== 'string') return null;
    index = skipWhitespace(bytes, keyEnd);
    if (bytes[index] !== COLON) return null;

    const valueStart = skipWhitespace(bytes, index + 1);
    const valueEnd = scanValue(bytes, valueStart);
    if (valueEnd === -1) return null;
    members.push({ key, valueStart, valueEnd });

    index = skipWhitespace(bytes, valueEnd);
    if (bytes[index] === CLOSE_BRACE) return { closeIndex: index, members };
    if (bytes[index] !== COMMA) return null;
    index = skipWhitespace(bytes, index + 1);
  }
}

/** The end (exclusive) of the JSON value that starts at `start`, or -1. */
function scanValue(bytes: Uint8Array, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return containerEnd(bytes, start);
  let index = start;
  while (index < bytes.length && !isDelimiter(bytes[index])) index += 1;
  return index > start ? index : -1;
}

/** The end (exclusive) of the string whose opening quote is at `start`, or -1. */
function stringEnd(bytes: Uint8Array, start: number): number {
  for (let index = start + 1; index < bytes.length; index += 1) {
    if (bytes[index] === BACKSLASH) index += 1;
    else if (bytes[index] === QUOTE) return index + 1;
  }
  return -1;
}

/** The end (exclusive) of the object or array that opens at `start`, or -1. */
function containerEnd(bytes: Uint8Array, start: number): number {
  let depth = 0;
  for (let index = start; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      const end = stringEnd(bytes, index);
      if (end === -1) return -1;
      index = end - 1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function isDelimiter(byte: number | undefined): boolean {
  return isWhitespace(byte) || byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET;
}
