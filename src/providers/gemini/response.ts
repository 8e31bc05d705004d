import type {
  FinishReason,
  MessagePart,
  OutputMessage,
  RetrievedDocument,
  ToolCall,
} from '../../event/types.js';
import { missingUsage } from '../../event/records.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  numberOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedResponse } from '../types.js';
import { normaliseFinishReason } from './finish-reason.js';
import { field, functionCall, partParts, roleName } from './request.js';
import { normaliseUsage } from './usage.js';

type CandidateState = {
  role: string | null;
  parts: MessagePart[];
  functionCalls: ToolCall[];
  finishReason: string | null;
  grounding: Record<string, unknown> | null;
};

/** What the response objects read so far have said: one whole body, or a stream's chunks. */
export type ResponseState = {
  id: string | null;
  model: string | null;
  candidates: Map<number, CandidateState>;
  /** The latest `usageMetadata`: a stream repeats its running totals in every chunk. */
  usage: Record<string, unknown> | null;
  blockReason: string | null;
  /** Whether a candidate finished or the prompt was blocked, so the latest usage is final. */
  finished: boolean;
  error: Record<string, unknown> | null;
  sawContent: boolean;
};

/**
 * Reads a whole Gemini `generateContent` body. A stream sent without `alt=sse` arrives as a
 * JSON array of the same objects a stream's chunks are, and is merged as a stream would be.
 * Never throws on odd shapes.
 */
export function parseResponse(body: unknown): ParsedResponse {
  const state = newResponseState();
  for (const chunk of Array.isArray(body) ? body : [body]) readChunk(state, chunk);
  // A body that parsed whole is the whole answer, so its usage is the provider's final count.
  return assembleResponse(state, true);
}

/** A state with nothing read yet. */
export function newResponseState(): ResponseState {
  return {
    id: null,
    model: null,
    candidates: new Map(),
    usage: null,
    blockReason: null,
    finished: false,
    error: null,
    sawContent: false,
  };
}

/**
 * Reads one response object into the state. Candidates' parts add up across objects; usage
 * replaces, because each object repeats the running totals (summing would count them twice).
 */
export function readChunk(state: ResponseState, chunk: unknown): void {
  if (!isRecord(chunk)) return;
  if (isRecord(chunk.error)) state.error = chunk.error;
  state.id = nonEmptyStringOrNull(chunk.responseId) ?? state.id;
  state.model = nonEmptyStringOrNull(chunk.modelVersion) ?? state.model;
  if (isRecord(chunk.usageMetadata)) state.usage = chunk.usageMetadata;

  const blockReason = nonEmptyStringOrNull(recordOrEmpty(chunk.promptFeedback).blockReason);
  if (blockReason !== null) {
    state.blockReason = blockReason;
    state.finished = true;
  }
  arrayOrEmpty(chunk.candidates).forEach((candidate, position) => {
    if (isRecord(candidate)) readCandidate(state, candidate, position);
  });
}

/** The answer the state holds; `finalUsage` says whether its usage is the provider's last. */
export function assembleResponse(state: ResponseState, finalUsage: boolean): ParsedResponse {
  const candidates = [...state.candidates.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, candidate]) => candidate);
  const retrieval = retrievedDocuments(candidates);

  return {
    id: state.id,
    model: state.model,
    systemFingerprint: null,
    output: candidates.map(outputMessage),
    toolCalls: candidates.flatMap((candidate) => candidate.functionCalls),
    finishReasons: candidates
      .map((candidate) => candidate.finishReason)
      .filter((reason): reason is string => reason !== null),
    finishReason: finishReasonOf(candidates[0], state.blockReason),
    refusal: state.blockReason,
    usage:
      state.usage === null
        ? missingUsage()
        : normaliseUsage(state.usage, finalUsage ? 'provider' : 'partial'),
    retrieval,
    error: state.error,
  };
}

function readCandidate(
  state: ResponseState,
  candidate: Record<string, unknown>,
  position: number,
): void {
  // Google's JSON leaves out zero values, so the first candidate often has no `index`.
  const index = numberOrNull(candidate.index) ?? position;
  const current = state.candidates.get(index) ?? newCandidate();
  state.candidates.set(index, current);
  const content = recordOrEmpty(candidate.content);
  current.role = stringOrNull(content.role) ?? current.role;

  for (const part of arrayOrEmpty(content.parts).filter(isRecord)) {
    const call = field(part, 'functionCall');
    if (isRecord(call)) current.functionCalls.push(functionCall(call));
    for (const messagePart of partParts(part)) appendPart(current.parts, messagePart);
  }
  if (current.parts.length > 0) state.sawContent = true;

  current.finishReason = nonEmptyStringOrNull(candidate.finishReason) ?? current.finishReason;
  if (current.finishReason !== null) state.finished = true;
  if (isRecord(candidate.groundingMetadata)) current.grounding = candidate.groundingMetadata;
}

function newCandidate(): CandidateState {
  return { role: null, parts: [], functionCalls: [], finishReason: null, grounding: null };
}

/** Adds a part; text right after text, or reasoning after reasoning, extends the one before. */
function appendPart(parts: MessagePart[], part: MessagePart): void {
  const last = parts.at(-1);
  if (last?.type === 'text' && part.type === 'text') {
    parts[parts.length - 1] = { type: 'text', content: last.content + part.content };
  } else if (last?.type === 'reasoning' && part.type === 'reasoning') {
    parts[parts.length - 1] = { type: 'reasoning', content: last.content + part.content };
  } else {
    parts.push(part);
  }
}

function outputMessage(candidate: CandidateState): OutputMessage {
  return {
    role: roleName(candidate.role ?? 'model'),
    parts: candidate.parts,
    finishReason: candidate.finishReason,
  };
}

/** The first candidate's finish reason; a blocked prompt has no candidate and is filtered. */
function finishReasonOf(
  first: CandidateState | undefined,
  blockReason: string | null,
): FinishReason | null {
  if (first?.finishReason != null) {
    return normaliseFinishReason(first.finishReason, first.functionCalls.length > 0);
  }
  return blockReason === null ? null : 'content_filter';
}

/**
 * The documents Gemini's grounding tools (Google Search, URL context, file search, Maps)
 * brought into the answer, from each candidate's `groundingMetadata.groundingChunks`: one per
 * uri, in the order first seen; `null` when there were none. As for the other providers, the
 * source is the uri and the text the title, unless the chunk carries the retrieved text.
 */
function retrievedDocuments(candidates: CandidateState[]): RetrievedDocument[] | null {
  const documents = new Map<string, RetrievedDocument>();
  const chunks = candidates.flatMap((candidate) =>
    arrayOrEmpty(candidate.grounding?.groundingChunks).filter(isRecord),
  );
  for (const chunk of chunks) {
    const document = [chunk.web, chunk.retrievedContext, chunk.maps].find(isRecord);
    const uri = nonEmptyStringOrNull(document?.uri);
    if (document === undefined || uri === null || documents.has(uri)) continue;
    const text = nonEmptyStringOrNull(document.text) ?? nonEmptyStringOrNull(document.title);
    documents.set(uri, { id: null, source: uri, text, sha256: null, score: null });
  }
  return documents.size > 0 ? [...documents.values()] : null;
}
