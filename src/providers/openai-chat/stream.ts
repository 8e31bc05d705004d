import type { MessagePart, OutputMessage, ToolCall } from '../../event/types.js';
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
import { normaliseFinishReason } from './finish-reason.js';
import { missingUsage } from '../../event/records.js';
import { normaliseUsage } from './usage.js';

type ToolCallState = { id: string | null; name: string; arguments: string };

type ChoiceState = {
  role: string | null;
  text: string;
  refusal: string;
  reasoning: string;
  /** Keyed by the delta's `index`; the legacy `function_call` uses -1. */
  toolCalls: Map<number, ToolCallState>;
  finishReason: string | null;
};

type StreamState = {
  id: string | null;
  model: string | null;
  systemFingerprint: string | null;
  choices: Map<number, ChoiceState>;
  usage: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  sawContent: boolean;
};

/**
 * Starts an assembler for an OpenAI chat completions stream (`data: <chunk>` events, then
 * `data: [DONE]`). Usage is taken from whichever chunk carries it, whether or not that chunk
 * also carries choices (DeepSeek and Mistral send both in the last chunk).
 */
export function createStreamAssembler(): StreamAssembler {
  const state: StreamState = {
    id: null,
    model: null,
    systemFingerprint: null,
    choices: new Map(),
    usage: null,
    error: null,
    sawContent: false,
  };
  // Usage arrives only in the last chunk, so a cut stream either has all of it or none.
  return createSseAssembler(state, readEvent, assemble);
}

function readEvent(state: StreamState, event: SseEvent): void {
  const chunk = parseJson(event.data);
  if (!isRecord(chunk)) return;

  if (isRecord(chunk.error)) state.error = chunk.error;
  state.id = nonEmptyStringOrNull(chunk.id) ?? state.id;
  state.model = nonEmptyStringOrNull(chunk.model) ?? state.model;
  state.systemFingerprint =
    nonEmptyStringOrNull(chunk.system_fingerprint) ?? state.systemFingerprint;
  if (isRecord(chunk.usage)) state.usage = chunk.usage;

  for (const choice of arrayOrEmpty(chunk.choices).filter(isRecord)) {
    readChoice(state, choice);
  }
}

function readChoice(state: StreamState, choice: Record<string, unknown>): void {
  const index = numberOrNull(choice.index) ?? 0;
  const current = state.choices.get(index) ?? newChoice();
  state.choices.set(index, current);
  const delta = recordOrEmpty(choice.delta);

  current.role = stringOrNull(delta.role) ?? current.role;
  const text = stringOrNull(delta.content) ?? '';
  const refusal = stringOrNull(delta.refusal) ?? '';
  const reasoning = stringOrNull(delta.reasoning_content ?? delta.reasoning) ?? '';
  current.text += text;
  current.refusal += refusal;
  current.reasoning += reasoning;
  if (text !== '' || refusal !== '' || reasoning !== '') state.sawContent = true;

  const calls = arrayOrEmpty(delta.tool_calls).filter(isRecord);
  calls.forEach((call) => readToolCallDelta(current, call));
  if (isRecord(delta.function_call))
    readToolCallDelta(current, { index: -1, function: delta.function_call });
  if (calls.length > 0 || isRecord(delta.function_call)) state.sawContent = true;

  current.finishReason = stringOrNull(choice.finish_reason) ?? current.finishReason;
}

function newChoice(): ChoiceState {
  return {
    role: null,
    text: '',
    refusal: '',
    reasoning: '',
    toolCalls: new Map(),
    finishReason: null,
  };
}

/** Adds one tool-call delta: the first names the call, later ones append argument text. */
function readToolCallDelta(choice: ChoiceState, call: Record<string, unknown>): void {
  const id = nonEmptyStringOrNull(call.id);
  const key = toolCallKey(choice, numberOrNull(call.index), id);
  const current = choice.toolCalls.get(key) ?? { id: null, name: '', arguments: '' };
  choice.toolCalls.set(key, current);
  const wireFunction = recordOrEmpty(call.function);

  current.id = current.id ?? id;
  // Some servers repeat the call's fields with an empty name in later deltas (Mistral).
  if (current.name === '') current.name = stringOrNull(wireFunction.name) ?? '';
  current.arguments += stringOrNull(wireFunction.arguments) ?? '';
}

/** The delta's `index`; failing that, the call with the same id, or a new call. */
function toolCallKey(choice: ChoiceState, index: number | null, id: string | null): number {
  if (index !== null) return index;
  const keys = [...choice.toolCalls.keys()];
  const byId = keys.find((key) => id !== null && choice.toolCalls.get(key)?.id === id);
  if (byId !== undefined) return byId;
  const last = keys.at(-1);
  return id === null && last !== undefined ? last : keys.length;
}

function assemble(state: StreamState): ParsedResponse {
  const choices = [...state.choices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, choice]) => choice);
  const output = choices.map(outputMessage);
  const finishReasons = choices
    .map((choice) => choice.finishReason)
    .filter((reason): reason is string => reason !== null);

  return {
    id: state.id,
    model: state.model,
    systemFingerprint: state.systemFingerprint,
    output,
    toolCalls: choices.flatMap(choiceToolCalls),
    finishReasons,
    finishReason: normaliseFinishReason(choices[0]?.finishReason ?? null),
    refusal: choices.map((choice) => choice.refusal).find((refusal) => refusal !== '') ?? null,
    usage: state.usage === null ? missingUsage() : normaliseUsage(state.usage),
    error: state.error,
  };
}

function choiceToolCalls(choice: ChoiceState): ToolCall[] {
  return [...choice.toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({
      id: call.id,
      name: call.name,
      arguments: parseArguments(call.arguments),
    }));
}

function outputMessage(choice: ChoiceState): OutputMessage {
  const parts: MessagePart[] = [];
  if (choice.reasoning !== '') parts.push({ type: 'reasoning', content: choice.reasoning });
  if (choice.text !== '') parts.push({ type: 'text', content: choice.text });
  for (const call of choiceToolCalls(choice)) parts.push({ type: 'tool_call', ...call });
  return { role: choice.role ?? 'assistant', parts, finishReason: choice.finishReason };
}
