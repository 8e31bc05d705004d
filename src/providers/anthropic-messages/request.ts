import type { Message, ToolDefinition } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedRequest } from '../types.js';
import { contentParts } from './content.js';

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['messages', 'system', 'tools']);

/** Reads an Anthropic Messages request body. Never throws on odd shapes. */
export function parseRequest(body: unknown): ParsedRequest {
  const request = recordOrEmpty(body);
  return {
    model: stringOrNull(request.model),
    stream: request.stream === true,
    parameters: Object.fromEntries(
      Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
    ),
    system: systemText(request.system),
    messages: arrayOrEmpty(request.messages).filter(isRecord).map(parseMessage),
    tools: Array.isArray(request.tools) ? request.tools.filter(isRecord).map(parseTool) : null,
    retrieval: null,
    previousResponseId: null,
    userId: nonEmptyStringOrNull(recordOrEmpty(request.metadata).user_id),
  };
}

/** A system prompt given as a string or as a list of text blocks. */
function systemText(system: unknown): string | null {
  if (typeof system === 'string') return system === '' ? null : system;
  const texts = arrayOrEmpty(system)
    .filter(isRecord)
    .map((block) => stringOrNull(block.text) ?? '')
    .filter((text) => text !== '');
  return texts.length > 0 ? texts.join('\n\n') : null;
}

function parseMessage(message: Record<string, unknown>): Message {
  return { role: stringOrNull(message.role) ?? 'unknown', parts: contentParts(message.content) };
}

function parseTool(tool: Record<string, unknown>): ToolDefinition {
  return {
    // Client tools may leave out `type`; server tools name theirs (`web_search_20250305`).
    type: stringOrNull(tool.type) ?? 'custom',
    name: stringOrNull(tool.name),
    description: stringOrNull(tool.description),
    parameters: tool.input_schema ?? null,
  };
}
