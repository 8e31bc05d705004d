import type { Message, MessagePart, ToolCall, ToolDefinition } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';
import type { ParsedRequest } from '../types.js';

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['contents', 'systemInstruction', 'system_instruction', 'tools']);

/**
 * The model paths, `/{version}/models/{model}:generateContent` and `:streamGenerateContent`,
 * without the query string (`?alt=sse`, `?key=`).
 */
export const MODEL_PATH =
  /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** Modalities the GenAI conventions name, read from a MIME type's top-level type. */
const MODALITIES = new Set(['image', 'audio', 'video']);

/** The model (URL-decoded, no `models/` prefix) and whether it streams, read from the path. */
export function modelFromPath(path: string): { model: string; stream: boolean } | null {
  const match = MODEL_PATH.exec(path.split('?', 1)[0] ?? '');
  if (match === null || match[1] === undefined) return null;
  return {
    model: modelName(decodeSegment(match[1])),
    stream: match[2] === 'streamGenerateContent',
  };
}

/**
 * Reads a Gemini `generateContent` request body and the path it was sent to, which names the
 * model and whether it streams. Never throws on odd shapes.
 */
export function parseRequest(body: unknown, path: string): ParsedRequest {
  const request = recordOrEmpty(body);
  const target = modelFromPath(path);
  const contents = Array.isArray(request.contents) ? request.contents : [request.contents];
  return {
    model: target?.model ?? nonEmptyStringOrNull(modelName(stringOrNull(request.model) ?? '')),
    stream: target?.stream ?? false,
    parameters: Object.fromEntries(
      Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
    ),
    system: systemText(field(request, 'systemInstruction')),
    messages: contents.filter(isRecord).map(parseContent),
    tools: Array.isArray(request.tools) ? request.tools.filter(isRecord).flatMap(parseTool) : null,
    retrieval: null,
    previousResponseId: null,
    userId: null,
  };
}

/**
 * A field by its JSON name (`inlineData`) or its proto name (`inline_data`): the REST API
 * takes both, and Google's own curl examples send the second.
 */
export function field(record: Record<string, unknown>, name: string): unknown {
  return record[name] ?? record[name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)];
}

/** A Content's role in the GenAI shape: Gemini's `model` is the assistant. */
export function roleName(role: unknown): string {
  const name = stringOrNull(role);
  if (name === 'model') return 'assistant';
  // A single-turn request may leave the role out; the API then reads the content as the user's.
  return name === null || name === '' ? 'user' : name;
}

/** A `functionCall` as a tool call: its id where Gemini sent one, its name and its args. */
export function functionCall(call: Record<string, unknown>): ToolCall {
  return {
    id: nonEmptyStringOrNull(call.id),
    name: stringOrNull(call.name) ?? '',
    arguments: call.args ?? null,
  };
}

/**
 * The message parts of one Gemini part. A part holds one kind of data; `thought: true` marks
 * text as the model's reasoning. Code that Gemini ran itself (`executableCode`) is a tool call
 * and its result a tool response, as server tools are for the other providers.
 */
export function partParts(part: Record<string, unknown>): MessagePart[] {
  const text = stringOrNull(part.text);
  // An empty text part carries only a thought signature, which is nothing readable.
  if (text !== null) return text === '' ? [] : [textPart(text, part.thought === true)];
  const call = field(part, 'functionCall');
  if (isRecord(call)) return [{ type: 'tool_call', ...functionCall(call) }];
  const result = field(part, 'functionResponse');
  if (isRecord(result)) {
    const id = nonEmptyStringOrNull(result.id);
    const name = nonEmptyStringOrNull(result.name);
    const response = result.response ?? null;
    return [{ type: 'tool_call_response', id, response, ...(name === null ? {} : { name }) }];
  }
  const inline = field(part, 'inlineData');
  if (isRecord(inline)) return [blobPart(inline)];
  const file = field(part, 'fileData');
  if (isRecord(file)) return [uriPart(file)];
  const code = field(part, 'executableCode');
  if (isRecord(code))
    return [{ type: 'tool_call', id: null, name: 'code_execution', arguments: code }];
  const outcome = field(part, 'codeExecutionResult');
  if (isRecord(outcome)) return [{ type: 'tool_call_response', id: null, response: outcome }];
  return [];
}

function textPart(content: string, thought: boolean): MessagePart {
  return thought ? { type: 'reasoning', content } : { type: 'text', content };
}

function blobPart(inline: Record<string, unknown>): MessagePart {
  const mimeType = stringOrNull(field(inline, 'mimeType'));
  const content = stringOrNull(inline.data) ?? '';
  return { type: 'blob', mimeType, modality: modalityOf(mimeType), content };
}

function uriPart(file: Record<string, unknown>): MessagePart {
  const mimeType = stringOrNull(field(file, 'mimeType'));
  const uri = stringOrNull(field(file, 'fileUri')) ?? '';
  return { type: 'uri', mimeType, modality: modalityOf(mimeType), uri };
}

function modalityOf(mimeType: string | null): string | null {
  const topLevel = mimeType?.split('/', 1)[0]?.toLowerCase() ?? '';
  return MODALITIES.has(topLevel) ? topLevel : null;
}

function parseContent(content: Record<string, unknown>): Message {
  return {
    role: roleName(content.role),
    parts: arrayOrEmpty(content.parts).filter(isRecord).flatMap(partParts),
  };
}

/** A system instruction: a Content with text parts, a single Part, or (SDK-style) a string. */
function systemText(system: unknown): string | null {
  if (typeof system === 'string') return nonEmptyStringOrNull(system);
  const instruction = recordOrEmpty(system);
  const parts = Array.isArray(instruction.parts) ? instruction.parts : [instruction];
  const texts = parts
    .filter(isRecord)
    .map((part) => stringOrNull(part.text) ?? '')
    .filter((text) => text !== '');
  return texts.length > 0 ? texts.join('\n\n') : null;
}

/**
 * The definitions in one Tool: each of its `functionDeclarations`, and each built-in tool it
 * turns on (`googleSearch`, `codeExecution`, `urlContext` ...) under that tool's name, with
 * its settings as the parameters.
 */
function parseTool(tool: Record<string, unknown>): ToolDefinition[] {
  return Object.entries(tool).flatMap(([key, value]): ToolDefinition[] => {
    if (key === 'functionDeclarations' || key === 'function_declarations') {
      return arrayOrEmpty(value).filter(isRecord).map(functionDefinition);
    }
    const type = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    return [{ type, name: null, description: null, parameters: value ?? null }];
  });
}

function functionDefinition(declaration: Record<string, unknown>): ToolDefinition {
  return {
    type: 'function',
    name: stringOrNull(declaration.name),
    description: stringOrNull(declaration.description),
    parameters: declaration.parameters ?? field(declaration, 'parametersJsonSchema') ?? null,
  };
}

function modelName(name: string): string {
  return name.startsWith('models/') ? name.slice('models/'.length) : name;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
