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
import { decodeSegment } from '../paths.js';

/**
 * `/model/{modelId}/converse` and `/converse-stream`. The SDKs URL-encode the model id, which
 * may be an ARN or an inference profile (`arn:aws:bedrock:...:inference-profile/...`).
 */
export const CONVERSE_PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

/** Top-level fields that carry content; every other field is kept as a parameter. */
const CONTENT_FIELDS = new Set(['messages', 'system', 'toolConfig']);

/** The model id (decoded) and whether the call streams, from a Converse path; `null` if none. */
export function converseTarget(path: string): { model: string; stream: boolean } | null {
  const match = CONVERSE_PATH.exec(path.split('?', 1)[0] ?? '');
  if (!match?.[1]) return null;
  return { model: decodeSegment(match[1]), stream: match[2] === 'converse-stream' };
}

/**
 * Reads a Converse or ConverseStream request body (API_runtime_Converse): the model and the
 * stream are in the path, the rest in the body. `inferenceConfig`, `guardrailConfig`,
 * `additionalModelRequestFields` and the like are parameters; `toolConfig.toolChoice` too,
 * while its tools are the request's tools. Never throws on odd shapes.
 */
export function parseRequest(body: unknown, path: string): ParsedRequest {
  const request = recordOrEmpty(body);
  const target = converseTarget(path);
  const toolConfig = recordOrEmpty(request.toolConfig);
  const parameters: Record<string, unknown> = Object.fromEntries(
    Object.entries(request).filter(([key]) => !CONTENT_FIELDS.has(key)),
  );
  if (toolConfig.toolChoice !== undefined) {
    parameters.toolConfig = { toolChoice: toolConfig.toolChoice };
  }
  const tools = Array.isArray(toolConfig.tools)
    ? toolConfig.tools.filter(isRecord).flatMap(parseTool)
    : null;

  return {
    model: target?.model ?? null,
    stream: target?.stream ?? false,
    parameters,
    system: systemText(request.system),
    messages: arrayOrEmpty(request.messages).filter(isRecord).map(parseMessage),
    tools,
    retrieval: null,
    previousResponseId: null,
    // `requestMetadata` is for filtering invocation logs, not a user: the headers name users.
    userId: null,
  };
}

/** The system prompt's text blocks joined; cache points and guard content are not text. */
function systemText(system: unknown): string | null {
  const texts = arrayOrEmpty(system)
    .filter(isRecord)
    .map((block) => stringOrNull(block.text) ?? '')
    .filter((text) => text !== '');
  return texts.length > 0 ? texts.join('\n\n') : null;
}

function parseMessage(message: Record<string, unknown>): Message {
  return { role: stringOrNull(message.role) ?? 'unknown', parts: contentParts(message.content) };
}

/** A `toolSpec`; a `cachePoint` in the tools list is not a tool. */
function parseTool(tool: Record<string, unknown>): ToolDefinition[] {
  if (!isRecord(tool.toolSpec)) {
    if (isRecord(tool.systemTool)) {
      const name = nonEmptyStringOrNull(tool.systemTool.name);
      return [{ type: 'system', name, description: null, parameters: null }];
    }
    return [];
  }
  const spec = tool.toolSpec;
  return [
    {
      type: 'function',
      name: stringOrNull(spec.name),
      description: stringOrNull(spec.description),
      parameters: recordOrEmpty(spec.inputSchema).json ?? null,
    },
  ];
}
