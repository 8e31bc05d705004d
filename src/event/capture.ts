import { createHash } from 'node:crypto';
import type { AuditEvent, Message, MessagePart, RetrievedDocument, ToolCall } from './types.js';
import { limitContent } from './limit.js';

/** How much of what was said an event keeps (`capture.mode`). */
export type CaptureMode = 'full' | 'hashes' | 'metadata';

/** A mode for the calls of one application, provider or model (`capture.overrides`). */
export type CaptureOverride = {
  app?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  mode: CaptureMode;
};

export type CaptureSettings = {
  mode: CaptureMode;
  maxContentBytes: number;
  overrides?: readonly CaptureOverride[];
};

/**
 * The mode for one event: the first override whose every named field matches the event's
 * application (`x-auditgate-app`), provider (its name in `providers:`) and model asked for,
 * else `capture.mode`.
 */
export function captureModeFor(event: AuditEvent, capture: CaptureSettings): CaptureMode {
  const app = event.identity.appId ?? event.attribution.appId;
  const provider = event.request?.provider ?? null;
  const model = event.request?.model ?? null;
  const override = capture.overrides?.find(
    (item) =>
      (item.app === undefined || item.app === app) &&
      (item.provider === undefined || item.provider === provider) &&
      (item.model === undefined || item.model === model),
  );
  return override?.mode ?? capture.mode;
}

/**
 * Applies the capture settings to a finished event before it is recorded: `full` keeps the
 * content up to `maxContentBytes`; `hashes` keeps the shape of every message and replaces what
 * was said with its SHA-256, so a copy held elsewhere can be matched without being stored;
 * `metadata` keeps no content at all. Sizes and hashes of the whole bodies stay in all three.
 */
export function applyCapture(event: AuditEvent, capture: CaptureSettings): AuditEvent {
  const mode = captureModeFor(event, capture);
  if (mode === 'full') return limitContent(event, capture.maxContentBytes);
  const { request, response } = event;
  const hashes = mode === 'hashes';
  return {
    ...event,
    request: request && {
      ...request,
      parameters: request.parameters && settingsOnly(request.parameters, hashes),
      system: hashes && request.system !== null ? digest(request.system) : null,
      messages: hashes ? hashMessages(request.messages) : null,
      tools: hashes ? request.tools : null,
      retrieval: hashes ? (request.retrieval?.map(hashDocument) ?? null) : null,
    },
    response: response && {
      ...response,
      output: hashes ? hashMessages(response.output) : null,
      toolCalls: hashes ? (response.toolCalls?.map(hashToolCall) ?? null) : null,
      refusal: hashes && response.refusal !== null ? digest(response.refusal) : null,
      error: hashes && response.error !== null ? digest(JSON.stringify(response.error)) : null,
    },
  };
}

/**
 * Names whose string values are settings, not something a person said: they stay in every
 * mode. Every other string in the parameters (prompt variables, metadata, predicted output,
 * schemas' descriptions, stop sequences) is hashed or dropped with the rest of the content.
 */
export const SETTING_NAMES: ReadonlySet<string> = new Set([
  'model',
  'type',
  'effort',
  'summary',
  'mode',
  'tool_choice',
  'service_tier',
  'reasoning_effort',
  'verbosity',
  'truncation',
  'encoding_format',
  'responseMimeType',
  'mediaResolution',
  'category',
  'threshold',
  'method',
  'anthropic_version',
]);

/** The parameters with numbers, booleans and settings kept; other strings hashed or dropped. */
function settingsOnly(parameters: Record<string, unknown>, hashes: boolean) {
  const keep = (value: unknown, name: string): unknown => {
    if (typeof value === 'string') {
      if (SETTING_NAMES.has(name)) return value;
      return hashes ? digest(value) : null;
    }
    if (Array.isArray(value)) return value.map((item) => keep(item, name));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, keep(item, key)]));
    }
    return value;
  };
  return keep(parameters, '') as Record<string, unknown>;
}

function digest(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

function hashMessages<Item extends Message>(messages: Item[] | null): Item[] | null {
  return messages?.map((message) => ({ ...message, parts: message.parts.map(hashPart) })) ?? null;
}

function hashPart(part: MessagePart): MessagePart {
  switch (part.type) {
    case 'text':
    case 'reasoning':
    case 'blob':
      return { ...part, content: digest(part.content) };
    case 'tool_call':
      return { ...part, arguments: digest(JSON.stringify(part.arguments) ?? '') };
    case 'tool_call_response':
      return { ...part, response: digest(JSON.stringify(part.response) ?? '') };
    case 'uri':
      return { ...part, uri: digest(part.uri) };
    case 'file':
      return { ...part, name: part.name === null ? null : digest(part.name) };
  }
}

function hashToolCall(call: ToolCall): ToolCall {
  return { ...call, arguments: digest(JSON.stringify(call.arguments) ?? '') };
}

function hashDocument(document: RetrievedDocument): RetrievedDocument {
  if (document.text === null) return document;
  return { ...document, text: null, sha256: digest(document.text).slice('sha256:'.length) };
}
