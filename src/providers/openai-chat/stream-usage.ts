/**
 * Asking an OpenAI chat stream for usage on the caller's behalf, and hiding the answer from
 * a caller that did not ask. Without `stream_options.include_usage` a chat stream carries
 * no token counts, and the audit record needs them. OpenAI then sends one extra chunk with
 * an empty `choices` list and the usage; the filter drops exactly that chunk.
 */
import type { Rewrite } from '../../event/types.js';
import { isRecord, parseJson } from '../json.js';
import { scanObject, skipWhitespace, type ObjectSpan } from '../json-spans.js';
import { parseSseText } from '../sse.js';

/** Replaces the bytes from `start` to `end` (exclusive) with `text`. */
type Edit = { start: number; end: number; text: string };

/** Passes a stream's bytes through, minus the usage chunk the caller did not ask for. */
export type UsageChunkFilter = {
  /** Takes the next bytes from upstream; returns the bytes to send on now (maybe none). */
  transform(chunk: Uint8Array): Uint8Array;
  /** Ends the stream; returns the rest (an event that never got its blank line). */
  flush(): Uint8Array;
};

const INCLUDE_USAGE = '"include_usage":true';

/**
 * For a streamed chat request that does not ask for usage, the same body asking for it, with
 * every other byte unchanged; `null` when nothing needs to change or the body is not a JSON
 * object.
 */
export function requestStreamUsage(body: Buffer): { body: Buffer; rewrite: Rewrite } | null {
  const request = parseJson(body.toString('utf8'));
  if (!isRecord(request) || request.stream !== true) return null;
  const options = request.stream_options;
  if (isRecord(options) && options.include_usage === true) return null;
  // Anything but an object or null is the upstream's to refuse; it is not ours to repair.
  if (options !== undefined && options !== null && !isRecord(options)) return null;

  const top = scanObject(body, skipWhitespace(body, 0));
  const edit = top === null ? null : usageEdit(body, top);
  if (edit === null) return null;

  const from =
    isRecord(options) && options.include_usage !== undefined ? options.include_usage : null;
  return {
    body: Buffer.concat([
      body.subarray(0, edit.start),
      Buffer.from(edit.text),
      body.subarray(edit.end),
    ]),
    rewrite: {
      path: 'stream_options.include_usage',
      reason: 'usage for the audit record',
      from,
      to: true,
    },
  };
}

/** The one edit that sets `stream_options.include_usage` to true in the top-level object. */
function usageEdit(body: Buffer, top: ObjectSpan): Edit | null {
  // JSON.parse keeps the last of repeated keys, so the scanner's answer must be the last too.
  const member = top.members.findLast((candidate) => candidate.key === 'stream_options');
  if (member === undefined) return insertMember(top, `"stream_options":{${INCLUDE_USAGE}}`);
  if (body[member.valueStart] !== 0x7b) {
    return { start: member.valueStart, end: member.valueEnd, text: `{${INCLUDE_USAGE}}` };
  }

  const options = scanObject(body, member.valueStart);
  if (options === null) return null;
  const includeUsage = options.members.findLast((candidate) => candidate.key === 'include_usage');
  if (includeUsage === undefined) return insertMember(options, INCLUDE_USAGE);
  return { start: includeUsage.valueStart, end: includeUsage.valueEnd, text: 'true' };
}

/** Adds a member just before an object's closing brace. */
function insertMember(object: ObjectSpan, member: string): Edit {
  const text = object.members.length > 0 ? `,${member}` : member;
  return { start: object.closeIndex, end: object.closeIndex, text };
}

/**
 * Starts a filter for the response of a request that `requestStreamUsage` rewrote. Each event
 * goes on as soon as its blank line arrives; only a partial event is ever held back.
 */
export function createUsageChunkFilter(): UsageChunkFilter {
  const scanner = createEventScanner();
  return {
    transform(chunk) {
      return Buffer.concat(scanner.push(chunk));
    },
    flush() {
      const rest = scanner.takeRest();
      return rest.length === 0 || isUsageOnlyChunk(rest) ? Buffer.alloc(0) : rest;
    },
  };
}

/** Whether an event is the chunk that only carries usage: no choices, a usage object. */
function isUsageOnlyChunk(event: Uint8Array): boolean {
  // Nearly every chunk says `"usage":null`; only a usage object is worth parsing.
  if (!hasUsageObject(Buffer.from(event.buffer, event.byteOffset, event.byteLength))) return false;
  const events = parseSseText(new TextDecoder().decode(event));
  if (events.length !== 1 || events[0] === undefined) return false;
  const chunk = parseJson(events[0].data);
  return (
    isRecord(chunk) &&
    Array.isArray(chunk.choices) &&
    chunk.choices.length === 0 &&
    isRecord(chunk.usage)
  );
}

const USAGE_KEY = Buffer.from('"usage"');
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;

/**
 * A cheap test on the raw bytes: some `"usage"` key is followed by an object. Text inside
 * a JSON string cannot match, because its quotes are escaped.
 */
function hasUsageObject(event: Buffer): boolean {
  for (let key = event.indexOf(USAGE_KEY); key >= 0; key = event.indexOf(USAGE_KEY, key + 1)) {
    let index = skipWhitespace(event, key + USAGE_KEY.length);
    if (event[index] !== COLON) continue;
    index = skipWhitespace(event, index + 1);
    if (event[index] === OPEN_BRACE) return true;
  }
  return false;
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

type ScannerState = {
  /** Bytes of the event in progress, from its first byte. */
  pending: Buffer;
  scanIndex: number;
  lineEmpty: boolean;
  afterCarriageReturn: boolean;
  /**
   * Set when an event ended on a CR that was the last byte so far: an LF next is part of
   * that event's last line ending, and goes wherever the event went.
   */
  lineFeedGoesOn: boolean | null;
};

/**
 * Splits bytes into whole SSE events, each ending with its blank line whether lines end in
 * LF, CRLF or CR, and hands each to the filter's decision as soon as it is whole.
 */
function createEventScanner(): { push(chunk: Uint8Array): Buffer[]; takeRest(): Buffer } {
  const state: ScannerState = {
    pending: Buffer.alloc(0),
    scanIndex: 0,
    lineEmpty: true,
    afterCarriageReturn: false,
    lineFeedGoesOn: null,
  };
  return {
    push(chunk) {
      state.pending = Buffer.concat([state.pending, chunk]);
      const forwarded: Buffer[] = [];
      scanEvents(state, forwarded);
      return forwarded;
    },
    takeRest() {
      const rest = state.pending;
      Object.assign(state, { pending: Buffer.alloc(0), scanIndex: 0, lineEmpty: true });
      return rest;
    },
  };
}

function scanEvents(state: ScannerState, forwarded: Buffer[]): void {
  while (state.scanIndex < state.pending.length) {
    const byte = state.pending[state.scanIndex];
    if (byte === LINE_FEED && state.afterCarriageReturn) {
      takeLineFeedAfterCarriageReturn(state, forwarded);
      continue;
    }
    state.afterCarriageReturn = false;
    state.lineFeedGoesOn = null;

    if (byte !== LINE_FEED && byte !== CARRIAGE_RETURN) {
      state.lineEmpty = false;
      state.scanIndex += 1;
    } else if (state.lineEmpty) {
      state.afterCarriageReturn = byte === CARRIAGE_RETURN;
      endEvent(state, forwarded);
    } else {
      state.afterCarriageReturn = byte === CARRIAGE_RETURN;
      state.lineEmpty = true;
      state.scanIndex += 1;
    }
  }
}

function takeLineFeedAfterCarriageReturn(state: ScannerState, forwarded: Buffer[]): void {
  state.afterCarriageReturn = false;
  if (state.lineFeedGoesOn === null) {
    state.scanIndex += 1;
    return;
  }
  // The event this LF ends has already been decided, and the LF is the first byte here.
  if (state.lineFeedGoesOn) forwarded.push(state.pending.subarray(0, 1));
  state.pending = state.pending.subarray(1);
  state.lineFeedGoesOn = null;
}

/** The blank line at `scanIndex` ends the pending event: forward or drop it. */
function endEvent(state: ScannerState, forwarded: Buffer[]): void {
  const end = state.scanIndex + 1;
  const event = state.pending.subarray(0, end);
  const goesOn = !isUsageOnlyChunk(event);
  if (goesOn) forwarded.push(event);
  state.lineFeedGoesOn = state.afterCarriageReturn ? goesOn : null;
  state.pending = state.pending.subarray(end);
  state.scanIndex = 0;
}
