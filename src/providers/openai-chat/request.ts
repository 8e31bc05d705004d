import type { Message, MessagePart, ToolCall, ToolDefinition } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  parseArguments,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import { audioPart, mediaPart } from '../media.js';
import type { ParsedRequest } from '../types.js';

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['messages', 'tools']);

/** Reads an OpenAI chat completions request body. Never throws on odd shapes. */
export function parseRequest(body: unknown): ParsedRequest {
  const request = recordOrEmpty(body);
  const messages = arrayOrEmpty(request.messages).filter(isRecord);
  const systemTexts = messages
    .filter(isSystemMessage)
    .map((message) => contentText(message.content))
    .filter((text) => text !== '');

  return {
    model: stringOrNull(request.model),
    stream: request.stream === true,
    parameters: Object.fromEntries(
      Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
    ),
    system: systemTexts.length > 0 ? systemTexts.join('\n\n') : null,
    messages: messages.filter((message) => !isSystemMessage(message)).map(parseMessage),
    tools: Array.isArray(request.tools) ? request.tools.filter(isRecord).map(parseTool) : null,
    retrieval: null,
    previousResponseId: null,
    userId: nonEmptyStringOrNull(request.user) ?? nonEmptyStringOrNull(request.safety_identifier),
  };
}

/** The parts of a message: its reasoning (DeepSeek), its content, then its tool calls. */
export function messageParts(message: Record<string, unknown>): MessagePart[] {
  const reasoning = nonEmptyStringOrNull(message.reasoning_content ?? message.reasoning);
  const calls = toolCalls(message).map((call): MessagePart => ({ type: 'tool_call', ...call }));
  return [
    ...(reasoning === null ? [] : [{ type: 'reasoning' as const, content: reasoning }]),
    ...contentParts(message.content),
    ...calls,
  ];
}

/** The tool calls a message carries: `tool_calls` entries and the legacy `function_call`. */
export function toolCalls(message: Record<string, unknown>): ToolCall[] {
  const calls = arrayOrEmpty(message.tool_calls).filter(isRecord).map(parseToolCall);
  if (isRecord(message.function_call)) {
    const call = message.function_call;
    calls.push({ id: null, name: stringOrNull(call.name) ?? '', arguments: wireArguments(call) });
  }
  return calls;
}

function isSystemMessage(message: Record<string, unknown>): boolean {
  return message.role === 'system' || message.role === 'developer';
}

function parseMessage(message: Record<string, unknown>): Message {
  const role = stringOrNull(message.role) ?? 'unknown';
  const parts: MessagePart[] =
    role === 'tool' || role === 'function'
      ? [
          {
            type: 'tool_call_response',
            id: stringOrNull(message.tool_call_id),
            response: toolResponse(message.content),
          },
        ]
      : messageParts(message);
  const name = stringOrNull(message.name);
  return name === null ? { role, parts } : { role, name, parts };
}

function parseToolCall(call: Record<string, unknown>): ToolCall {
  const id = stringOrNull(call.id);
  if (call.type === 'custom' && isRecord(call.custom)) {
    // A custom tool's input is free text, not JSON, so it is kept as sent.
    return { id, name: stringOrNull(call.custom.name) ?? '', arguments: call.custom.input ?? null };
  }
  const wireFunction = recordOrEmpty(call.function);
  return {
    id,
    name: stringOrNull(wireFunction.name) ?? '',
    arguments: wireArguments(wireFunction),
  };
}

function wireArguments(wireFunction: Record<string, unknown>): unknown {
  const value = wireFunction.arguments;
  return typeof value === 'string' ? parseArguments(value) : (value ?? null);
}

function parseTool(tool: Record<string, unknown>): ToolDefinition {
  const type = stringOrNull(tool.type) ?? 'function';
  // `{type: "function", function: {...}}` and `{type: "custom", custom: {...}}` alike.
  const definition = recordOrEmpty(tool[type]);
  return {
    type,
    name: stringOrNull(definition.name),
    description: stringOrNull(definition.description),
    parameters: definition.parameters ?? definition.format ?? null,
  };
}

/** A tool result's content: its text when it is text, else the content as sent. */
function toolResponse(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? null;
  const allText = content.every((part) => isRecord(part) && part.type === 'text');
  return allText ? contentText(content) : content;
}

/** The text of a content field: the string itself, or its text parts joined by newlines. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return arrayOrEmpty(content)
    .filter(isRecord)
    .map((part) => stringOrNull(part.text) ?? '')
    .filter((text) => text !== '')
    .join('\n');
}

function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  return arrayOrEmpty(content)
    .filter(isRecord)
    .flatMap((part) => contentPart(part) ?? []);
}

function contentPart(part: Record<string, unknown>): MessagePart | null {
  switch (part.type) {
    case 'text':
      return { type: 'text', content: stringOrNull(part.text) ?? '' };
    case 'refusal':
      return { type: 'text', content: stringOrNull(part.refusal) ?? '' };
    case 'image_url':
      return mediaPart(stringOrNull(recordOrEmpty(part.image_url).url), 'image');
    case 'input_audio':
      return audioPart(recordOrEmpty(part.input_audio));
    case 'file':
      return filePart(recordOrEmpty(part.file));
    default:
      return null;
  }
}

function filePart(file: Record<string, unknown>): MessagePart | null {
  const fileId = stringOrNull(file.file_id);
  if (fileId !== null) {
    return { type: 'file', mimeType: null, fileId, name: stringOrNull(file.filename) };
  }
  return mediaPart(stringOrNull(file.file_data), null);
}
