import type { Message, ToolDefinition } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedRequest } from '../types.js';
import { contentParts, contentText } from './content.js';
import { itemParts } from './items.js';
import { retrievedDocuments } from './retrieval.js';

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['input', 'instructions', 'tools']);

/** Fields of a built-in tool that can hold credentials (MCP `headers`, `authorization`). */
const SECRET_TOOL_FIELDS = new Set(['headers', 'authorization']);

/** Reads an OpenAI Responses request body. Never throws on odd shapes. */
export function parseRequest(body: unknown): ParsedRequest {
  const request = recordOrEmpty(body);
  const items = inputItems(request.input);
  const systemTexts = [
    stringOrNull(request.instructions) ?? '',
    ...items.filter(isSystemMessage).map((item) => contentText(item.content)),
  ].filter((text) => text !== '');

  return {
    model: stringOrNull(request.model),
    stream: request.stream === true,
    parameters: Object.fromEntries(
      Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
    ),
    system: systemTexts.length > 0 ? systemTexts.join('\n\n') : null,
    messages: inputMessages(items.filter((item) => !isSystemMessage(item))),
    tools: Array.isArray(request.tools) ? request.tools.filter(isRecord).map(parseTool) : null,
    retrieval: retrievedDocuments(items),
    previousResponseId: nonEmptyStringOrNull(request.previous_response_id),
    userId: nonEmptyStringOrNull(request.user) ?? nonEmptyStringOrNull(request.safety_identifier),
  };
}

/** `input` as a list of items: a string is one user message. */
function inputItems(input: unknown): Record<string, unknown>[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return arrayOrEmpty(input).filter(isRecord);
}

/** A message item; the short form `{role, content}` leaves out `type`. */
function isMessage(item: Record<string, unknown>): boolean {
  return item.type === 'message' || (item.type === undefined && typeof item.role === 'string');
}

function isSystemMessage(item: Record<string, unknown>): boolean {
  return isMessage(item) && (item.role === 'system' || item.role === 'developer');
}

/**
 * The conversation in the GenAI shape. Each message item is a message; a tool call or
 * reasoning item joins the assistant message before it (or starts one), and each tool
 * result is a `tool` message of its own.
 */
function inputMessages(items: Record<string, unknown>[]): Message[] {
  const messages: Message[] = [];
  for (const item of items) {
    if (isMessage(item)) {
      const role = stringOrNull(item.role) ?? 'unknown';
      messages.push({ role, parts: contentParts(item.content) });
      continue;
    }
    const parts = itemParts(item);
    if (parts.length === 0) continue;
    const role = parts.every((part) => part.type === 'tool_call_response') ? 'tool' : 'assistant';
    const last = messages.at(-1);
    if (role === 'assistant' && last?.role === 'assistant') last.parts.push(...parts);
    else messages.push({ role, parts });
  }
  return messages;
}

/**
 * A function or custom tool by its name and schema (or grammar); a built-in tool (web
 * search, file search, MCP, code interpreter ...) by its type and settings, an MCP server
 * by its label. Credentials in a tool's settings are left out.
 */
function parseTool(tool: Record<string, unknown>): ToolDefinition {
  const type = stringOrNull(tool.type) ?? 'function';
  if (type === 'function' || type === 'custom') {
    return {
      type,
      name: stringOrNull(tool.name),
      description: stringOrNull(tool.description),
      parameters: tool.parameters ?? tool.format ?? null,
    };
  }
  const settings = Object.entries(tool).filter(
    ([key]) => key !== 'type' && !SECRET_TOOL_FIELDS.has(key),
  );
  return {
    type,
    name: type === 'mcp' ? stringOrNull(tool.server_label) : null,
    description: type === 'mcp' ? stringOrNull(tool.server_description) : null,
    parameters: settings.length > 0 ? Object.fromEntries(settings) : null,
  };
}
