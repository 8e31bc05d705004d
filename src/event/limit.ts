import type { AuditEvent } from './types.js';
import { splitContent, joinContent, type EventContent } from './content.js';

/** What a cut string ends with, so a reader sees the text is not whole. */
export const TRUNCATION_MARK = '[truncated]';

/**
 * Strings this short are never cut: they are ids, types, roles, names and urls that give the
 * content its shape. Content made only of many such strings can stay over the limit.
 */
const SHORTEST_CUT = 128;

/**
 * Keeps an event's content within `maxBytes` of JSON: when it is larger, the longest strings
 * (base64 images and files first, by their size) are cut to a common length that fits, each
 * ending in `TRUNCATION_MARK`, and the request or response whose content was cut says
 * `truncated`. Sizes and hashes of the whole bodies stay as measured.
 */
export function limitContent(event: AuditEvent, maxBytes: number): AuditEvent {
  if (cannotExceed(event, maxBytes)) return event;
  const { envelope, content } = splitContent(event);
  const size = byteSize(content);
  if (size <= maxBytes) return event;

  const cut = { request: false, response: false };
  let keep = Math.max(SHORTEST_CUT, longestLengthThatFits(collectStrings(content), size, maxBytes));
  let limited: EventContent;
  // Lengths count UTF-16 units and sizes count bytes: shorten again while that estimate was low.
  for (;;) {
    limited = {
      request: cutStrings(content.request, keep, () => (cut.request = true)),
      response: cutStrings(content.response, keep, () => (cut.response = true)),
    };
    if (keep === SHORTEST_CUT || byteSize(limited) <= maxBytes) break;
    keep = Math.max(SHORTEST_CUT, Math.floor(keep * 0.8));
  }

  const joined = joinContent(envelope, limited);
  return {
    ...joined,
    request: joined.request && {
      ...joined.request,
      truncated: joined.request.truncated || cut.request,
    },
    response: joined.response && {
      ...joined.response,
      truncated: joined.response.truncated || cut.response,
    },
  };
}

/**
 * A cheap bound that spares measuring ordinary events: content is read from the bodies, so it
 * is not much larger than they are (field names and message shapes add a little).
 */
function cannotExceed(event: AuditEvent, maxBytes: number): boolean {
  const bodies = (event.request?.bodyBytes ?? 0) + (event.response?.bodyBytes ?? 0);
  return bodies * 2 + 4096 <= maxBytes;
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** Each string's length in UTF-16 units and its size as JSON, in bytes. */
type StringSize = { length: number; bytes: number };

function collectStrings(value: unknown, found: StringSize[] = []): StringSize[] {
  if (typeof value === 'string') {
    found.push({ length: value.length, bytes: byteSize(value) });
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, found);
  }
  return found;
}

/**
 * The longest length every string may keep so that the content fits: a binary search over
 * lengths, estimating what cutting each string to that length (plus the mark) saves from its
 * own bytes per character.
 */
function longestLengthThatFits(strings: StringSize[], size: number, maxBytes: number): number {
  const saved = (keep: number) =>
    strings.reduce((total, { length, bytes }) => {
      if (length <= keep + TRUNCATION_MARK.length) return total;
      return total + (bytes * (length - keep)) / length - TRUNCATION_MARK.length;
    }, 0);
  let low = 0;
  let high = Math.max(0, ...strings.map((string) => string.length));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (size - saved(middle) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  return low;
}

function cutStrings<Value>(value: Value, keep: number, onCut: () => void): Value {
  if (typeof value === 'string') {
    if (value.length <= keep + TRUNCATION_MARK.length) return value;
    onCut();
    return (wholeCharacters(value, keep) + TRUNCATION_MARK) as Value;
  }
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, keep, onCut)) as Value;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [
      key,
      cutStrings(item, keep, onCut),
    ]);
    return Object.fromEntries(entries) as Value;
  }
  return value;
}

/** The first `length` UTF-16 units, one fewer where that would split a surrogate pair. */
function wholeCharacters(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, length - 1) : text.slice(0, length);
}
