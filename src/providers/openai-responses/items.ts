/**
 * The items of a Responses `input` or `output` list (tool calls and their results,
 * reasoning, the provider's own tool calls) as GenAI message parts and tool calls.
 */
import type { MessagePart, ToolCall } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  parseArguments,
  stringOrNull,
} from '../json.js';
import { contentParts, toolOutput } from './content.js';

/**
 * What the provider's own tool calls were asked to do, picked so that results (search
 * hits, generated images) stay out of the arguments. Other `*_call` items have none.
 */
const SERVER_CALL_ARGUMENTS: Record<string, (item: Record<string, unknown>) => unknown> = {
  file_search_call: (item) => ({ queries: arrayOrEmpty(item.queries) }),
  web_search_call: (item) => webSearchAction(item.action),
  code_interpreter_call: (item) => ({ code: item.code ?? null }),
  computer_call: (item) => item.action ?? null,
  local_shell_call: (item) => item.action ?? null,
  shell_call: (item) => item.action ?? null,
};

/** The message parts of one item; a `message` item's parts are its content. */
export function itemParts(item: Record<string, unknown>): MessagePart[] {
  const type = stringOrNull(item.type) ?? '';
  switch (type) {
    case 'message':
      return contentParts(item.content);
    case 'reasoning':
      return reasoningParts(item);
    case 'function_call':
    case 'custom_tool_call':
    case 'mcp_approval_request':
      return [{ type: 'tool_call', ...toolCall(item) }];
    case 'mcp_call':
      return mcpCallParts(item);
    case 'mcp_approval_response': {
      const response = { approve: item.approve ?? null, reason: item.reason ?? null };
      return [{ type: 'tool_call_response', id: stringOrNull(item.approval_request_id), response }];
    }
  }
  if (type.endsWith('_call_output')) {
    return [{ type: 'tool_call_response', id: callId(item), response: toolOutput(item.output) }];
  }
  if (type.endsWith('_call')) {
    const name = type.slice(0, -'_call'.length);
    const parameters = SERVER_CALL_ARGUMENTS[type]?.(item) ?? null;
    return [{ type: 'tool_call', id: callId(item), name, arguments: parameters }];
  }
  // mcp_list_tools, item_reference and items added later carry no message content.
  return [];
}

/**
 * The tool calls an item records: function and custom tool calls (the caller runs them) and
 * MCP calls (OpenAI ran them), each as sent. A `parallel` wrapper is recorded as the one call
 * it is, since its `call_id` is what the caller's result answers; the calls it wraps are in
 * its arguments.
 */
export function itemToolCalls(item: Record<string, unknown>): ToolCall[] {
  switch (item.type) {
    case 'function_call':
    case 'custom_tool_call':
    case 'mcp_call':
      return [toolCall(item)];
    default:
      return [];
  }
}

/** A tool call item: its `call_id` (what its result refers to), name and arguments. */
function toolCall(item: Record<string, unknown>): ToolCall {
  return {
    id: callId(item),
    name: stringOrNull(item.name) ?? '',
    // A custom tool's input is free text, not JSON, so it is kept as sent.
    arguments:
      item.type === 'custom_tool_call' ? (item.input ?? null) : wireArguments(item.arguments),
  };
}

function callId(item: Record<string, unknown>): string | null {
  return nonEmptyStringOrNull(item.call_id) ?? nonEmptyStringOrNull(item.id);
}

function wireArguments(value: unknown): unknown {
  return typeof value === 'string' ? parseArguments(value) : (value ?? null);
}

/** An MCP call the provider made, and what the server answered (its output or error). */
function mcpCallParts(item: Record<string, unknown>): MessagePart[] {
  const call = toolCall(item);
  const response = item.output ?? item.error ?? null;
  if (response === null) return [{ type: 'tool_call', ...call }];
  return [
    { type: 'tool_call', ...call },
    { type: 'tool_call_response', id: call.id, response },
  ];
}

/** A reasoning item's summary texts, or failing those its reasoning texts, as one part. */
function reasoningParts(item: Record<string, unknown>): MessagePart[] {
  const texts = (list: unknown): string[] =>
    arrayOrEmpty(list)
      .filter(isRecord)
      .map((part) => stringOrNull(part.text) ?? '')
      .filter((text) => text !== '');
  const summary = texts(item.summary);
  const readable = summary.length > 0 ? summary : texts(item.content);
  return readable.length > 0 ? [{ type: 'reasoning', content: readable.join('\n\n') }] : [];
}

/** A web search action without its `sources`, which are recorded as retrieved documents. */
function webSearchAction(action: unknown): unknown {
  if (!isRecord(action)) return null;
  return Object.fromEntries(Object.entries(action).filter(([key]) => key !== 'sources'));
}
