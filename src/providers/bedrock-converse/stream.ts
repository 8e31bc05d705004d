import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { missingUsage } from '../../event/records.js';
import type { Usage } from '../../event/types.js';
import { isRecord, parseArguments, parseJson, recordOrEmpty, stringOrNull } from '../json.js';
import type { StreamAssembler } from '../types.js';
import { REDACTED_REASONING } from './content.js';
import { responseFromMessage } from './response.js';
import { normaliseUsage } from './usage.js';

/** One decoded event-stream frame: its headers and its body bytes. */
type FrameMessage = ReturnType<EventStreamCodec['decode']>;

/** One content block while its deltas arrive. */
type BlockInProgress =
  | { kind: 'text'; text: string }
  | { kind: 'toolUse'; toolUseId: string | null; name: string; input: string }
  | { kind: 'reasoning'; text: string; redacted: boolean };

type StreamState = {
  role: string | null;
  blocks: Map<number, BlockInProgress>;
  stopReason: string | null;
  usage: Usage;
  error: Record<string, unknown> | null;
  sawContent: boolean;
};

/** The prelude of an event-stream frame: total length, headers length, prelude CRC. */
const PRELUDE_BYTES = 12;

/**
 * Starts an assembler for a ConverseStream answer: AWS event-stream binary frames
 * (`application/vnd.amazon.eventstream`; docs.aws.amazon.com/AmazonS3/latest/API/
 * RESTSelectObjectAppendix.html describes the framing), each a JSON event named by its
 * `:event-type` header, or an exception named by `:exception-type`. A frame may arrive split
 * over any number of chunks, so bytes wait until the frame's length (its first four bytes)
 * has arrived; the codec then checks both CRCs and reads the headers.
 */
export function createStreamAssembler(): StreamAssembler {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const state: StreamState = {
    role: null,
    blocks: new Map(),
    stopReason: null,
    usage: missingUsage(),
    error: null,
    sawContent: false,
  };
  let pending: Buffer = Buffer.alloc(0);
  let broken = false;

  return {
    write(chunk) {
      if (broken) return;
      pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
      while (pending.length >= PRELUDE_BYTES) {
        const total = pending.readUInt32BE(0);
        if (total < PRELUDE_BYTES + 4) {
          broken = true;
          return;
        }
        if (pending.length < total) return;
        const frame = pending.subarray(0, total);
        pending = pending.subarray(total);
        try {
          readFrame(state, codec.decode(frame));
        } catch {
          // A frame whose CRC fails: the rest cannot be trusted to be framed right.
          broken = true;
          return;
        }
      }
    },
    get sawContent() {
      return state.sawContent;
    },
    finish() {
      return responseFromMessage({
        role: state.role,
        blocks: [...state.blocks.entries()]
          .sort(([first], [second]) => first - second)
          .map(([, block]) => wholeBlock(block)),
        stopReason: state.stopReason,
        usage: state.usage,
        error: state.error,
      });
    },
  };
}

function headerString(frame: FrameMessage, name: string): string | null {
  const header = frame.headers[name];
  return header?.type === 'string' ? header.value : null;
}

function readFrame(state: StreamState, frame: FrameMessage): void {
  const messageType = headerString(frame, ':message-type');
  const payload = parseJson(Buffer.from(frame.body).toString('utf8'));
  if (messageType === 'exception') {
    const type = headerString(frame, ':exception-type') ?? 'exception';
    state.error = { type, message: stringOrNull(recordOrEmpty(payload).message) };
    return;
  }
  if (messageType === 'error') {
    const type = headerString(frame, ':error-code') ?? 'error';
    state.error = { type, message: headerString(frame, ':error-message') };
    return;
  }
  const eventType = headerString(frame, ':event-type');
  if (eventType !== null && isRecord(payload)) readEvent(state, eventType, payload);
}

/** One ConverseStream event (API_runtime_ConverseStreamOutput). */
function readEvent(state: StreamState, type: string, event: Record<string, unknown>): void {
  const index = typeof event.contentBlockIndex === 'number' ? event.contentBlockIndex : 0;
  switch (type) {
    case 'messageStart':
      state.role = stringOrNull(event.role);
      return;
    case 'contentBlockStart': {
      const toolUse = recordOrEmpty(recordOrEmpty(event.start).toolUse);
      if (Object.keys(toolUse).length > 0) {
        const name = stringOrNull(toolUse.name) ?? '';
        const toolUseId = stringOrNull(toolUse.toolUseId);
        state.blocks.set(index, { kind: 'toolUse', toolUseId, name, input: '' });
        state.sawContent = true;
      }
      return;
    }
    case 'contentBlockDelta':
      readDelta(state, index, recordOrEmpty(event.delta));
      return;
    case 'messageStop':
      state.stopReason = stringOrNull(event.stopReason);
      return;
    case 'metadata':
      state.usage = normaliseUsage(event.usage);
      return;
    default:
      // contentBlockStop closes a block whose content is already whole.
      return;
  }
}

function readDelta(state: StreamState, index: number, delta: Record<string, unknown>): void {
  const block = state.blocks.get(index);
  if (typeof delta.text === 'string') {
    if (block?.kind === 'text') block.text += delta.text;
    else state.blocks.set(index, { kind: 'text', text: delta.text });
    state.sawContent = true;
  } else if (isRecord(delta.toolUse)) {
    const input = stringOrNull(delta.toolUse.input) ?? '';
    if (block?.kind === 'toolUse') block.input += input;
    else state.blocks.set(index, { kind: 'toolUse', toolUseId: null, name: '', input });
    state.sawContent = true;
  } else if (isRecord(delta.reasoningContent)) {
    const reasoning = delta.reasoningContent;
    const text = stringOrNull(reasoning.text) ?? '';
    const redacted = reasoning.redactedContent !== undefined;
    if (block?.kind === 'reasoning') {
      block.text += text;
      block.redacted ||= redacted;
    } else state.blocks.set(index, { kind: 'reasoning', text, redacted });
    state.sawContent = true;
  }
}

/** A block in the shape a whole Converse body gives it. */
function wholeBlock(block: BlockInProgress): Record<string, unknown> {
  switch (block.kind) {
    case 'text':
      return { text: block.text };
    case 'toolUse':
      return {
        toolUse: {
          toolUseId: block.toolUseId,
          name: block.name,
          input: block.input === '' ? {} : parseArguments(block.input),
        },
      };
    case 'reasoning':
      if (block.redacted && block.text === '') {
        return { reasoningContent: { reasoningText: { text: REDACTED_REASONING } } };
      }
      return { reasoningContent: { reasoningText: { text: block.text } } };
  }
}
