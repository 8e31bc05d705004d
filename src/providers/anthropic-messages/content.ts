/**
 * Anthropic content blocks (docs.claude.com/en/api/messages) read into GenAI message parts.
 * Requests and responses share the block shapes, so both read them here.
 */
import type { MessagePart } from '../../event/types.js';
import { arrayOrEmpty, isRecord, recordOrEmpty, stringOrNull } from '../json.js';

/** What a `redacted_thinking` block records: that there was thinking, never its data. */
export const REDACTED_REASONING = '[redacted]';

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
    const content = toolResponse(block.content);
    // A server tool's result came from Anthropic; a client's is the caller's, kept as sent.
    const response = type === 'tool_result' ? content : withoutEncrypted(content);
    return [{ type: 'tool_call_response', id, response }];
  }
  return contentBlockParts(type, block);
}

/** A message's content, given as a string or as a list of blocks. */
export function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  return arrayOrEmpty(content).filter(isRecord).flatMap(blockParts);
}

/** The parts of a block that is neither a tool call nor a tool result. */
function contentBlockParts(type: string, block: Record<string, unknown>): MessagePart[] {
  switch (type) {
    case 'text':
      return [{ type: 'text', content: stringOrNull(block.text) ?? '' }];
    case 'thinking':
      // The signature only lets Anthropic check the thinking later; it is not kept.
      return [{ type: 'reasoning', content: stringOrNull(block.thinking) ?? '' }];
    case 'redacted_thinking':
      // The data is thinking Anthropic encrypted for safety: opaque, so never recorded.
      return [{ type: 'reasoning', content: REDACTED_REASONING }];
    case 'image':
      return sourceParts(recordOrEmpty(block.source), 'image', null);
    case 'document':
      return sourceParts(recordOrEmpty(block.source), null, stringOrNull(block.title));
    default:
      // Blocks added later are left out rather than guessed at.
      return [];
  }
}

/** A tool result's content: its text when it is all text, else the content as sent. */
function toolResponse(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? null;
  // An empty list stays a list: a search that found nothing is not an empty text.
  const allText =
    content.length > 0 && content.every((block) => isRecord(block) && block.type === 'text');
  if (!allText) return content;
  return content.map((block) => stringOrNull(recordOrEmpty(block).text) ?? '').join('\n');
}

/**
 * A copy of a server tool result without its `encrypted_*` members, at any depth (a web
 * search result's `encrypted_content`, an encrypted code run's `encrypted_stdout`). Only
 * Anthropic can read them; they are most of the bytes and tell an auditor nothing that the
 * title, url or output beside them does not.
 */
function withoutEncrypted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEncrypted);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('encrypted_'))
      .map(([key, member]) => [key, withoutEncrypted(member)]),
  );
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
