import { createHash } from 'node:crypto';
import type { AuditEvent, Message, MessagePart, RetrievedDocument, ToolCall } from './types.js';
import { limitContent } from './limit.js';

/** How much of what was said an event keeps (`capture.mode`). */
export type CaptureMode = 'full' | 'hashes' | 'metadata';

/**
 * Applies the capture settings to a finished event before it is recorded: `full` keeps the
 * content up to `maxContentBytes`; `hashes` keeps the shape of every message and replaces what
 * was said with its SHA-256, so a copy held elsewhere can be matched without being stored;
 * `metadata` keeps no content at all. Sizes and hashes of the whole bodies stay in all three.
 */
export function applyCapture(
  event: AuditEvent,
  capture: { mode: CaptureMode; maxContentBytes: number },
): AuditEvent {
  if (capture.mode === 'full') return limitContent(event, capture.maxContentBytes);
  const { request, response } = event;
  const hashes = capture.mode === 'hashes';
  return {
    ...event,
    request: request && {
      ...request,
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
