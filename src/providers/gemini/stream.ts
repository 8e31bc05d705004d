import { parseJson } from '../json.js';
import { createSseReader, type SseReader } from '../sse.js';
import type { StreamAssembler } from '../types.js';
import { assembleResponse, newResponseState, readChunk, type ResponseState } from './response.js';

/** How the stream is framed, known from its first byte that is not whitespace. */
type Framing = 'unknown' | 'sse' | 'json';

/** Where a JSON-array stream's scan stands between writes. */
type ArrayScan = {
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** The text of the element in progress, up to the end of the last write. */
  element: string;
  /** Whether the array's closing `]` has arrived: the stream's own end marker. */
  closed: boolean;
};

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

/**
 * Starts an assembler for a Gemini `streamGenerateContent` stream. With `alt=sse` each chunk
 * is a `data: <json>` event (no end marker); without it the same chunks arrive as one JSON
 * array, `[{...}\r\n,{...}\r\n]`, written a piece at a time. The framing is read from the
 * first byte, so either works. Usage is cumulative: each chunk repeats the running totals.
 */
export function createStreamAssembler(): StreamAssembler {
  const state = newResponseState();
  const scan: ArrayScan = { depth: 0, inString: false, escaped: false, element: '', closed: false };
  const decoder = new TextDecoder('utf-8');
  const sse: SseReader = createSseReader((event) => readChunk(state, parseJson(event.data)));
  let framing: Framing = 'unknown';

  return {
    write(chunk) {
      if (framing === 'unknown') framing = framingOf(chunk);
      if (framing === 'sse') sse.write(chunk);
      if (framing === 'json') scanArray(state, scan, decoder.decode(chunk, { stream: true }));
    },
    get sawContent() {
      return state.sawContent;
    },
    // What was seen decides: the chunk that finishes a candidate carries the final usage.
    finish() {
      if (framing === 'sse') sse.end();
      if (framing === 'json') scanArray(state, scan, decoder.decode());
      return assembleResponse(state, state.finished || scan.closed);
    },
  };
}

/** `json` when the first byte that is not whitespace opens an array or an object. */
function framingOf(bytes: Uint8Array): Framing {
  const first = bytes.find((byte) => !WHITESPACE.has(byte));
  if (first === undefined) return 'unknown';
  return first === OPEN_BRACKET || first === OPEN_BRACE ? 'json' : 'sse';
}

/**
 * Finds each whole element of the top-level array in the next piece of text and reads it. A
 * bare object (no array around it) is read the same way.
 */
function scanArray(state: ResponseState, scan: ArrayScan, text: string): void {
  let start = scan.depth > 0 ? 0 : -1;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (scan.depth === 0) {
      // Between elements: the opening `[`, commas and line breaks are skipped.
      if (character === '{') {
        scan.depth = 1;
        start = index;
      } else if (character === ']') {
        scan.closed = true;
      }
    } else if (scan.inString) {
      if (scan.escaped) scan.escaped = false;
      else if (character === '\\') scan.escaped = true;
      else if (character === '"') scan.inString = false;
    } else if (character === '"') {
      scan.inString = true;
    } else if (character === '{' || character === '[') {
      scan.depth += 1;
    } else if (character === '}' || character === ']') {
      scan.depth -= 1;
      if (scan.depth > 0) continue;
      readChunk(state, parseJson(scan.element + text.slice(start, index + 1)));
      scan.element = '';
    }
  }
  if (scan.depth > 0) scan.element += text.slice(start);
}
