import { z } from 'zod';

import type {
  LoadedRecording,
  RecordingKind,
  RecordingLibrary,
  SimulatedEndpoint,
} from './recordings.js';

/** What the simulator knows of one request when it picks a recording. */
export type SimulatedRequest = {
  endpoint: SimulatedEndpoint;
  /** The `x-auditgate-simulate` header, if sent. */
  recordingHeader: string | undefined;
  /** The request body, JSON-parsed. */
  body: unknown;
};

/** A recording to replay, or a 400 to answer in the provider's error shape. */
export type Choice =
  | { outcome: 'replay'; recording: LoadedRecording }
  | { outcome: 'refuse'; status: 400; message: string };

/** The recording each endpoint answers with when no header names one. */
export const defaultRecordings: Record<SimulatedEndpoint, Record<'text' | 'tool_call', string>> = {
  'chat.completions': { text: 'openai-text', tool_call: 'deepseek-tool-call' },
  messages: { text: 'anthropic-text', tool_call: 'anthropic-json-tool.1' },
};

const endpointPaths: Record<SimulatedEndpoint, string> = {
  'chat.completions': '/v1/chat/completions',
  messages: '/v1/messages',
};

// Lenient on purpose: a field of the wrong type reads as absent, the way a replay should.
const requestSchema = z
  .object({
    stream: z.boolean().catch(false),
    tools: z.array(z.unknown()).catch([]),
    messages: z.array(z.unknown()).catch([]),
  })
  .catch({ stream: false, tools: [], messages: [] });

const messageSchema = z.object({ role: z.string(), content: z.unknown() });

/** Picks the recording for a request: by the header, else by endpoint, tools and `stream`. */
export function chooseRecording(request: SimulatedRequest, library: RecordingLibrary): Choice {
  const body = requestSchema.parse(request.body);
  const named = request.recordingHeader?.trim();
  if (named) return chooseNamed(named, request.endpoint, body.stream, library);

  const kind = answerKind(request.endpoint, body.tools, body.messages);
  const name = defaultRecordings[request.endpoint][kind];
  return chooseForm(name, body.stream, library);
}

function chooseNamed(
  name: string,
  endpoint: SimulatedEndpoint,
  stream: boolean,
  library: RecordingLibrary,
): Choice {
  const forms = library.get(name);
  const either = forms?.whole ?? forms?.streamed;
  if (!either) {
    const message = `x-auditgate-simulate names no known recording: got ${describeValue(name)}`;
    return { outcome: 'refuse', status: 400, message };
  }
  if (either.endpoint !== endpoint) {
    const answers = endpointPaths[either.endpoint];
    const message = `recording '${name}' answers ${answers}, not ${endpointPaths[endpoint]}`;
    return { outcome: 'refuse', status: 400, message };
  }
  if (either.kind === 'error') return { outcome: 'replay', recording: either };
  return chooseForm(name, stream, library);
}

function chooseForm(name: string, stream: boolean, library: RecordingLibrary): Choice {
  const forms = library.get(name);
  const recording = stream ? forms?.streamed : forms?.whole;
  if (recording) return { outcome: 'replay', recording };

  const missing = stream ? 'streaming' : 'non-streaming';
  const message = `recording '${name}' has no ${missing} form: set stream to ${!stream}`;
  return { outcome: 'refuse', status: 400, message };
}

// An agent's tool loop ends when the model answers the tool result with text.
function answerKind(
  endpoint: SimulatedEndpoint,
  tools: unknown[],
  messages: unknown[],
): Extract<RecordingKind, 'text' | 'tool_call'> {
  if (tools.length === 0) return 'text';
  const last = messageSchema.safeParse(messages.at(-1));
  if (!last.success) return 'tool_call';
  return isToolResult(endpoint, last.data) ? 'text' : 'tool_call';
}

function isToolResult(endpoint: SimulatedEndpoint, message: z.infer<typeof messageSchema>) {
  if (endpoint === 'chat.completions') return message.role === 'tool';
  if (message.role !== 'user') return false;
  const content = message.content;
  return Array.isArray(content) && content.some((block: unknown) => hasType(block, 'tool_result'));
}

function hasType(block: unknown, type: string): boolean {
  return typeof block === 'object' && block !== null && 'type' in block && block.type === type;
}

// Names the header value's problem without echoing long or odd input.
function describeValue(value: string): string {
  if (/^[A-Za-z0-9._-]{1,64}$/.test(value)) return `'${value}'`;
  return `a value of ${value.length} characters`;
}
