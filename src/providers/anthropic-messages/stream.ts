import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  numberOrNull,
  parseArguments,
  parseJson,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import { createSseAssembler, type SseEvent } from '../sse.js';
import type { ParsedResponse, StreamAssembler } from '../types.js';
import { missingUsage } from '../../event/records.js';
import { responseFromMessage } from './response.js';
import { normaliseUsage } from './usage.js';

/** A content block as `content_block_start` opened it, and what its deltas added. */
type BlockState = {
  start: Record<string, unknown>;
  text: string;
  inputJson: string;
  citations: Record<string, unknown>[];
};

type StreamState = {
  id: string | null;
  model: string | null;
  role: string | null;
  blocks: Map<number, BlockState>;
  stopReason: string | null;
  stopDetails: unknown;
  /** `message_start`'s usage with each `message_delta`'s fields laid over it. */
  usage: Record<string, unknown> | null;
  sawFinalUsage: boolean;
  error: Record<string, unknown> | null;
  sawContent: boolean;
};

/**
 * Starts an assembler for an Anthropic Messages stream (`message_start`, content block
 * events, `message_delta`, then `message_stop`). Usage in a stream is cumulative: each
 * `message_delta` field replaces `message_start`'s, it does not add to it.
 */
export function createStreamAssembler(): StreamAssembler {
  const state: StreamState = {
    id: null,
    model: null,
    role: null,
    blocks: new Map(),
    stopReason: null,
    stopDetails: null,
    usage: null,
    sawFinalUsage: false,
    error: null,
    sawContent: false,
  };
  // What was seen decides: without a message_delta, usage has only message_start's counts.
  return createSseAssembler(state, readEvent, assemble);
}

function readEvent(state: StreamState, event: SseEvent): void {
  const data = parseJson(event.data);
  if (!isRecord(data)) return;
  switch (stringOrNull(data.type) ?? event.event) {
    case 'message_start':
      return readMessageStart(state, recordOrEmpty(data.message));
    case 'content_block_start':
      return readBlockStart(state, data);
    case 'content_block_delta':
      return readBlockDelta(state, data);
    case 'message_delta':
      return readMessageDelta(state, data);
    case 'error':
      state.error = isRecord(data.error) ? data.error : data;
      return;
    default:
      // ping, content_block_stop and message_stop carry nothing to keep.
      return;
  }
}

function readMessageStart(state: StreamState, message: Record<string, unknown>): void {
  state.id = nonEmptyStringOrNull(message.id) ?? state.id;
  state.model = nonEmptyStringOrNull(message.model) ?? state.model;
  state.role = stringOrNull(message.role) ?? state.role;
  if (isRecord(message.usage)) state.usage = { ...message.usage };
}

function readBlockStart(state: StreamState, data: Record<string, unknown>): void {
  const start = recordOrEmpty(data.content_block);
  state.blocks.set(numberOrNull(data.index) ?? state.blocks.size, {
    start,
    text: '',
    inputJson: '',
    citations: [],
  });
  if (start.type !== 'text' && start.type !== 'thinking') state.sawContent = true;
}

function readBlockDelta(state: StreamState, data: Record<string, unknown>): void {
  const block = state.blocks.get(numberOrNull(data.index) ?? -1);
  if (block === undefined) return;
  const delta = recordOrEmpty(data.delta);
  const added = stringOrNull(delta.text ?? delta.thinking ?? delta.partial_json) ?? '';

  switch (delta.type) {
    case 'text_delta':
    case 'thinking_delta':
      block.text += added;
      break;
    case 'input_json_delta':
      block.inputJson += added;
      break;
    case 'citations_delta':
      if (isRecord(delta.citation)) block.citations.push(delta.citation);
      return;
    default:
      // signature_delta: the thinking's signature, which is not recorded.
      return;
  }
  if (added !== '') state.sawContent = true;
}

function readMessageDelta(state: StreamState, data: Record<string, unknown>): void {
  const delta = recordOrEmpty(data.delta);
  state.stopReason = stringOrNull(delta.stop_reason) ?? state.stopReason;
  if (delta.stop_details !== undefined) state.stopDetails = delta.stop_details;
  if (isRecord(data.usage)) {
    state.usage = { ...state.usage, ...data.usage };
    state.sawFinalUsage = true;
  }
}

/** A block as a whole-body content block, so that it reads the same as a non-streamed one. */
function finishedBlock(block: BlockState): Record<string, unknown> {
  const { start, text, inputJson, citations } = block;
  switch (start.type) {
    case 'text':
      return {
        ...start,
        text: (stringOrNull(start.text) ?? '') + text,
        citations: [...arrayOrEmpty(start.citations), ...citations],
      };
    case 'thinking':
      return { ...start, thinking: (stringOrNull(start.thinking) ?? '') + text };
    default:
      if (!('input' in start)) return start;
      // The start carries `input: {}`; the deltas carry the real input, where there are any.
      return {
        ...start,
        input: inputJson === '' ? (start.input ?? {}) : parseArguments(inputJson),
      };
  }
}

function assemble(state: StreamState): ParsedResponse {
  const blocks = [...state.blocks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, block]) => finishedBlock(block));
  return responseFromMessage({
    id: state.id,
    model: state.model,
    role: state.role,
    blocks,
    stopReason: state.stopReason,
    stopDetails: state.stopDetails,
    usage:
      state.usage === null
        ? missingUsage()
        : normaliseUsage(state.usage, state.sawFinalUsage ? 'provider' : 'partial'),
    error: state.error,
  });
}
