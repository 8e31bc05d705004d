/**
 * Server-sent events read from raw response bytes, over `eventsource-parser`. Bytes may be
 * split anywhere, including inside a multi-byte UTF-8 character.
 */
import { createParser } from 'eventsource-parser';
import type { ParsedResponse, StreamAssembler } from './types.js';

export { parseJson } from './json.js';

/** One server-sent event: its `event:` name (`null` when absent) and its joined `data:`. */
export type SseEvent = { event: string | null; data: string };

/** Feeds bytes in, calls back with each complete event. */
export type SseReader = {
  write(chunk: Uint8Array): void;
  /** Ends the input; an event still waiting for its blank line is delivered if whole. */
  end(): void;
};

/** Starts a reader that decodes UTF-8 across chunk boundaries and reports each event. */
export function createSseReader(onEvent: (event: SseEvent) => void): SseReader {
  const decoder = new TextDecoder('utf-8');
  const parser = createParser({
    onEvent: (message) => onEvent({ event: message.event ?? null, data: message.data }),
  });
  let ended = false;

  return {
    write(chunk) {
      if (ended) return;
      parser.feed(decoder.decode(chunk, { stream: true }));
    },
    end() {
      if (ended) return;
      ended = true;
      // A stream may end without the blank line after its last event; a blank line here
      // delivers that event, whose data the caller still has to find whole (it parses).
      parser.feed(`${decoder.decode()}\n\n`);
      parser.reset();
    },
  };
}

/** Reads every event in a complete piece of SSE text. */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const reader = createSseReader((event) => events.push(event));
  reader.write(new TextEncoder().encode(text));
  reader.end();
  return events;
}

/**
 * A stream assembler over server-sent events: each event is read into `state` as it arrives,
 * and `assemble` builds the answer from the state when the stream ends.
 */
export function createSseAssembler<State extends { sawContent: boolean }>(
  state: State,
  read: (state: State, event: SseEvent) => void,
  assemble: (state: State) => ParsedResponse,
): StreamAssembler {
  const reader = createSseReader((event) => read(state, event));
  return {
    write(chunk) {
      reader.write(chunk);
    },
    get sawContent() {
      return state.sawContent;
    },
    finish() {
      reader.end();
      return assemble(state);
    },
  };
}
