import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  numberOrNull,
  parseJson,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import { createSseAssembler, type SseEvent } from '../sse.js';
import type { ParsedResponse, StreamAssembler } from '../types.js';
import { responseError } from './errors.js';
import { providerFinishReason } from './finish-reason.js';
import { summarise } from './response.js';
import { combineUsage } from './usage.js';

/** One output item: as `output_item.added` opened it (or `.done` closed it), and its deltas. */
type ItemState = {
  responseIndex: number;
  outputIndex: number | null;
  id: string | null;
  item: Record<string, unknown>;
  /** Whether `output_item.done` sent the whole item, which then replaces the deltas. */
  done: boolean;
  /** Message content parts, or a reasoning item's reasoning texts, by content index. */
  content: Map<number, { type: string; text: string }>;
  /** A reasoning item's summary texts, by summary index. */
  summary: Map<number, string>;
  /** A function call's or MCP call's arguments, or a custom tool call's input. */
  input: string | null;
};

/** One response in the stream (a stream normally carries one; a recording may chain more). */
type ResponseState = {
  id: string | null;
  model: string | null;
  finishReason: string | null;
  usage: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  ended: boolean;
};

type StreamState = {
  responses: ResponseState[];
  items: ItemState[];
  /** The first `error` event's error. */
  error: Record<string, unknown> | null;
  sawContent: boolean;
};

/** Text that streams in `<name>.delta` events and ends with a `<name>.done` holding it all. */
type TextStream = {
  /** Where it goes: a message or reasoning content part, a summary part, a tool's input. */
  target: 'content' | 'summary' | 'input';
  /** The item type to assume when the event names an item never opened. */
  itemType: string;
  /** The content part's type, for `content` text. */
  partType?: string;
  /** The `.done` event's field with the whole text. */
  doneField: string;
};

const TEXT_STREAMS = new Map<string, TextStream>([
  [
    'output_text',
    { target: 'content', itemType: 'message', partType: 'output_text', doneField: 'text' },
  ],
  [
    'refusal',
    { target: 'content', itemType: 'message', partType: 'refusal', doneField: 'refusal' },
  ],
  [
    'reasoning_text',
    { target: 'content', itemType: 'reasoning', partType: 'reasoning_text', doneField: 'text' },
  ],
  ['reasoning_summary_text', { target: 'summary', itemType: 'reasoning', doneField: 'text' }],
  [
    'function_call_arguments',
    { target: 'input', itemType: 'function_call', doneField: 'arguments' },
  ],
  ['custom_tool_call_input', { target: 'input', itemType: 'custom_tool_call', doneField: 'input' }],
  ['mcp_call_arguments', { target: 'input', itemType: 'mcp_call', doneField: 'arguments' }],
]);

const TEXT_EVENT = /^response\.(\w+)\.(delta|done)$/;

type Handler = (state: StreamState, data: Record<string, unknown>) => void;

const HANDLERS = new Map<string, Handler>([
  ['response.created', (state, data) => readResponse(state, data, false)],
  ['response.queued', (state, data) => readResponse(state, data, false)],
  ['response.in_progress', (state, data) => readResponse(state, data, false)],
  ['response.completed', (state, data) => readResponse(state, data, true)],
  ['response.incomplete', (state, data) => readResponse(state, data, true)],
  ['response.failed', (state, data) => readResponse(state, data, true)],
  ['response.output_item.added', (state, data) => readItem(state, data, false)],
  ['response.output_item.done', (state, data) => readItem(state, data, true)],
  ['response.content_part.added', readContentPart],
  ['response.content_part.done', readContentPart],
  ['error', (state, data) => (state.error ??= responseError(data))],
]);

/** Items whose opening already shows the model's answer: the tool it calls. */
const TOOL_CALL_ITEMS = new Set(['function_call', 'custom_tool_call', 'mcp_call']);

/**
 * Starts an assembler for an OpenAI Responses stream (`event: <type>` and `data: <json>`
 * per event, from `response.created` to `response.completed`, `.incomplete` or `.failed`).
 * Usage arrives only in that last event. Items are told apart by id, so every tool call is
 * kept, however many one stream carries.
 */
export function createStreamAssembler(): StreamAssembler {
  const state: StreamState = { responses: [], items: [], error: null, sawContent: false };
  // The last event decides: without it, usage is missing, whatever the transport said.
  return createSseAssembler(state, readEvent, assemble);
}

function readEvent(state: StreamState, event: SseEvent): void {
  const data = parseJson(event.data);
  if (!isRecord(data)) return;
  const type = stringOrNull(data.type) ?? event.event ?? '';
  const [, name = '', step] = TEXT_EVENT.exec(type) ?? [];
  const text = TEXT_STREAMS.get(name);
  if (text !== undefined) return readText(state, data, text, step === 'delta');
  HANDLERS.get(type)?.(state, data);
}

/** A `response.*` event: which response it is, and at its end, its outcome and usage. */
function readResponse(state: StreamState, data: Record<string, unknown>, ended: boolean): void {
  const response = recordOrEmpty(data.response);
  const current = responseFor(state, nonEmptyStringOrNull(response.id));
  current.id = nonEmptyStringOrNull(response.id) ?? current.id;
  current.model = nonEmptyStringOrNull(response.model) ?? current.model;
  if (!ended) return;

  current.ended = true;
  current.finishReason = providerFinishReason(response);
  if (isRecord(response.usage)) current.usage = response.usage;
  current.error = responseError(response);
  // A server that sends no item events still lists the items in the final response.
  const index = state.responses.length - 1;
  if (state.items.some((item) => item.responseIndex === index)) return;
  arrayOrEmpty(response.output)
    .filter(isRecord)
    .forEach((item, outputIndex) => state.items.push(newItem(index, outputIndex, item, true)));
}

/** The response an event belongs to: the current one, unless it has ended or is another. */
function responseFor(state: StreamState, id: string | null): ResponseState {
  const current = state.responses.at(-1);
  if (current !== undefined && id !== null && current.id === id) return current;
  if (current !== undefined && !current.ended && (id === null || current.id === null)) {
    return current;
  }
  const next: ResponseState = {
    id: null,
    model: null,
    finishReason: null,
    usage: null,
    error: null,
    ended: false,
  };
  state.responses.push(next);
  return next;
}

function currentResponseIndex(state: StreamState): number {
  if (state.responses.length === 0) responseFor(state, null);
  return state.responses.length - 1;
}

function readItem(state: StreamState, data: Record<string, unknown>, done: boolean): void {
  if (!isRecord(data.item)) return;
  const item = data.item;
  const responseIndex = currentResponseIndex(state);
  const outputIndex = numberOrNull(data.output_index);
  const existing = findItem(state, nonEmptyStringOrNull(item.id), responseIndex, outputIndex);
  if (TOOL_CALL_ITEMS.has(stringOrNull(item.type) ?? '')) state.sawContent = true;

  if (existing === undefined) {
    state.items.push(newItem(responseIndex, outputIndex, item, done));
    return;
  }
  existing.item = item;
  existing.id = nonEmptyStringOrNull(item.id) ?? existing.id;
  existing.done = existing.done || done;
}

function newItem(
  responseIndex: number,
  outputIndex: number | null,
  item: Record<string, unknown>,
  done: boolean,
): ItemState {
  const id = nonEmptyStringOrNull(item.id);
  return {
    responseIndex,
    outputIndex,
    id,
    item,
    done,
    content: new Map(),
    summary: new Map(),
    input: null,
  };
}

/** An item by its id, else by its place in the current response. */
function findItem(
  state: StreamState,
  id: string | null,
  responseIndex: number,
  outputIndex: number | null,
): ItemState | undefined {
  const byId = id === null ? undefined : state.items.findLast((item) => item.id === id);
  if (byId !== undefined || outputIndex === null) return byId;
  return state.items.findLast(
    (item) =>
      item.responseIndex === responseIndex &&
      item.outputIndex === outputIndex &&
      (id === null || item.id === null),
  );
}

/** The item an event is about; one is opened when the event names an item never opened. */
function itemFor(state: StreamState, data: Record<string, unknown>, type: string): ItemState {
  const id = nonEmptyStringOrNull(data.item_id);
  const responseIndex = currentResponseIndex(state);
  const outputIndex = numberOrNull(data.output_index);
  const found = findItem(state, id, responseIndex, outputIndex);
  if (found !== undefined) return found;
  const opened = newItem(responseIndex, outputIndex, { type, id }, false);
  state.items.push(opened);
  return opened;
}

/** A text delta, appended, or a text's `.done` event, which replaces what the deltas made. */
function readText(
  state: StreamState,
  data: Record<string, unknown>,
  stream: TextStream,
  append: boolean,
): void {
  const text = stringOrNull(data[append ? 'delta' : stream.doneField]);
  if (text === null) return;
  const item = itemFor(state, data, stream.itemType);
  if (text !== '') state.sawContent = true;

  if (stream.target === 'input') {
    item.input = append ? (item.input ?? '') + text : text;
  } else if (stream.target === 'summary') {
    const index = numberOrNull(data.summary_index) ?? 0;
    item.summary.set(index, (append ? (item.summary.get(index) ?? '') : '') + text);
  } else {
    const index = numberOrNull(data.content_index) ?? 0;
    const part = item.content.get(index) ?? { type: stream.partType ?? 'output_text', text: '' };
    item.content.set(index, { type: part.type, text: append ? part.text + text : text });
  }
}

/** A content part opened or closed: its type, and its whole text when it has one. */
function readContentPart(state: StreamState, data: Record<string, unknown>): void {
  const part = recordOrEmpty(data.part);
  const type = stringOrNull(part.type);
  if (type === null) return;
  const item = itemFor(state, data, 'message');
  const index = numberOrNull(data.content_index) ?? 0;
  const text = nonEmptyStringOrNull(part.text ?? part.refusal);
  item.content.set(index, { type, text: text ?? item.content.get(index)?.text ?? '' });
}

/** An item as a whole body would list it: `output_item.done`'s, else the deltas laid over. */
function finishedItem(state: ItemState): Record<string, unknown> {
  if (state.done) return state.item;
  const streamed: Record<string, unknown> = {};
  if (state.content.size > 0) {
    streamed.content = inOrder(state.content).map(({ type, text }) =>
      type === 'refusal' ? { type, refusal: text } : { type, text },
    );
  }
  if (state.summary.size > 0) {
    streamed.summary = inOrder(state.summary).map((text) => ({ type: 'summary_text', text }));
  }
  if (state.input !== null) {
    streamed[state.item.type === 'custom_tool_call' ? 'input' : 'arguments'] = state.input;
  }
  return { ...state.item, ...streamed };
}

function inOrder<T>(parts: Map<number, T>): T[] {
  return [...parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
}

function assemble(state: StreamState): ParsedResponse {
  const { responses } = state;
  const lastIndex = responses.length - 1;
  const items = state.items.map(finishedItem);
  const finishReasons = responses
    .map((response) => response.finishReason)
    .filter((reason): reason is string => reason !== null);

  return summarise({
    id: responses.findLast((response) => response.id !== null)?.id ?? null,
    model: responses.findLast((response) => response.model !== null)?.model ?? null,
    items,
    lastItems: items.filter((_, index) => state.items[index]?.responseIndex === lastIndex),
    finishReasons,
    finishReason: responses.at(-1)?.finishReason ?? null,
    usage: combineUsage(responses.map((response) => response.usage)),
    error: state.error ?? responses.find((response) => response.error !== null)?.error ?? null,
  });
}
