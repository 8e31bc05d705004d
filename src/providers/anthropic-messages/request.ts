import type { Message, MessagePart, ToolDefinition } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedRequest } from '../types.js';

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

/**
 * The message parts of one content block. Client and server tool calls (`tool_use`,
 * `server_tool_use`, `mcp_tool_use`) become `tool_call` parts, and their results
 * (`tool_result`, `web_search_tool_result` ...) `tool_call_response` parts.
 */
export function blockParts(block: Record<string, unknown>): MessagePart[] {
  const type = stringOrNull(block.type) ?? '';
  if (type === 'tool_use' || type.endsWith('_tool_use')) {
    const id = stringOrNull(block.id);
    return [
      {
        type: 'tool_call',
        id,
        name: stringOrNull(block.name) ?? '',
        arguments: block.input ?? null,
      },
    ];
  }
  if (type === 'tool_result' || type.endsWith('_tool_result')) {
    const id = stringOrNull(block.tool_use_id);
    return [{ type: 'tool_call_response', id, response: toolResponse(block.content) }];
  }
  switch (type) {
    case 'text':
      return [{ type: 'text', content: stringOrNull(block.text) ?? '' }];
    case 'thinking':
      return [{ type: 'reasoning', content: stringOrNull(block.thinking) ?? '' }];
    case 'image':
      return sourceParts(recordOrEmpty(block.source), 'image', null);
    case 'document':
      return sourceParts(recordOrEmpty(block.source), null, stringOrNull(block.title));
    default:
      // redacted_thinking has nothing readable; unknown blocks are left out.
      return [];
  }
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

function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  return arrayOrEmpty(content).filter(isRecord).flatMap(blockParts);
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

/** A tool result's content: its text when it is all text, else the content as sent. */
function toolResponse(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? null;
  const allText = content.every((block) => isRecord(block) && block.type === 'text');
  if (!allText) return content;
  return content.map((block) => stringOrNull(recordOrEmpty(block).text) ?? '').join('\n');
}

/** An image or document source: base64 data, a URL, an uploaded file, text or blocks. */
function sourceParts(
  source: Record<string, unknown>,
  modality: string | null,
  name: string | null,
): MessagePart[] {
  const mimeType = stringOrNull(source.media_type);
  switch (source.type) {
    case 'base64':
      return [{ type: 'blob', mimeType, modality, content: stringOrNull(source.data) ?? '' }];
    case 'url':
      return [{ type: 'uri', mimeType, modality, uri: stringOrNull(source.url) ?? '' }];
    case 'file':
      return [{ type: 'file', mimeType, fileId: stringOrNull(source.file_id), name }];
    case 'text':
      return [{ type: 'text', content: stringOrNull(source.data) ?? '' }];
    case 'content':
      return contentParts(source.content);
    default:
      return [];
  }
}
