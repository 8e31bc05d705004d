import { z } from 'zod';

import type { LoadedRecording, RecordingLibrary, SimulatedEndpoint } from './recordings.js';

/** What the simulator knows of one request when it picks a recording. */
export type SimulatedRequest = {
  endpoint: SimulatedEndpoint;
  /** Whether the path asks for a stream (Gemini names it there); `null` where the body says. */
  streamByPath: boolean | null;
  /** The `x-auditgate-simulate` header, if sent. */
  recordingHeader: string | undefined;
  /** The request body, JSON-parsed. */
  body: unknown;
  /** Whether the path is Azure OpenAI's, whose chat streams carry content filter results. */
  azure?: boolean;
};

/** Azure's own recording, its default streamed chat answer. */
const AZURE_STREAMED_TEXT = 'azure-model-router.1';

/** A recording to replay, or a 400 to answer in the provider's error shape. */
export type Choice =
  | { outcome: 'replay'; recording: LoadedRecording }
  | { outcome: 'refuse'; status: 400; message: string };

/** The recording names of one default answer; `streamed` defaults to `whole`. */
export type DefaultNames = { whole: string; streamed?: string };

/** What a request gets: the model's answer, or a call of one of the tools it offers. */
export type AnswerKind = 'answer' | 'toolCall';

/** The recordings each endpoint answers with when no header names one. */
export const defaultRecordings: Record<
  SimulatedEndpoint,
  { answer: DefaultNames; toolCall: DefaultNames | null }
> = {
  'chat.completions': {
    answer: { whole: 'openai-text' },
    toolCall: { whole: 'deepseek-tool-call' },
  },
  responses: {
    // No recording is plain text (see the manifest notes); the reasoning recording's stream
    // holds four responses back to back, so the streamed answer is the file search one.
    answer: {
      whole: 'openai-reasoning-encrypted-content.1',
      streamed: 'openai-file-search-tool.1',
    },
    toolCall: {
      whole: 'parallel-tool-call-wrapper.1',
      streamed: 'parallel-tool-call-wrapper.1.derived',
    },
  },
  embeddings: { answer: { whole: 'openai-embedding' }, toolCall: null },
  messages: {
    answer: { whole: 'anthropic-text' },
    toolCall: { whole: 'anthropic-json-tool.1' },
  },
  generate_content: {
    answer: { whole: 'google-text' },
    toolCall: { whole: 'google-tool-call' },
  },
  converse: {
    answer: { whole: 'amazon-bedrock-text' },
    toolCall: { whole: 'amazon-bedrock-tool-call.1' },
  },
};

const endpointPaths: Record<SimulatedEndpoint, string> = {
  'chat.completions': '/v1/chat/completions',
  responses: '/v1/responses',
  embeddings: '/v1/embeddings',
  messages: '/v1/messages',
  generate_content: '/v1beta/models/{model}:generateContent',
  converse: '/model/{modelId}/converse',
};

// Lenient on purpose: a field of the wrong type reads as absent, the way a replay should.
// `messages` is chat and Anthropic, `input` Responses (a string input has no items),
// `contents` Gemini; Bedrock offers its tools in `toolConfig.tools`.
const requestSchema = z
  .object({
    stream: z.boolean().catch(false),
    tools: z.array(z.unknown()).catch([]),
    messages: z.array(z.unknown()).catch([]),
    input: z.array(z.unknown()).catch([]),
    contents: z.array(z.unknown()).catch([]),
    toolConfig: z.object({ tools: z.array(z.unknown()).catch([]) }).catch({ tools: [] }),
  })
  .catch({
    stream: false,
    tools: [],
    messages: [],
    input: [],
    contents: [],
    toolConfig: { tools: [] },
  });

type RequestBody = z.infer<typeof requestSchema>;

/** Picks the recording for a request: by the header, else by endpoint, tools and stream. */
export function chooseRecording(request: SimulatedRequest, library: RecordingLibrary): Choice {
  const body = requestSchema.parse(request.body);
  const stream = request.streamByPath ?? body.stream;
  const named = request.recordingHeader?.trim();
  if (named) return chooseNamed(named, { ...request, stream }, library);

  const defaults = defaultRecordings[request.endpoint];
  const names = answerKind(request.endpoint, body) === 'toolCall' ? defaults.toolCall : null;
  const azureText = request.azure && request.endpoint === 'chat.completions' && names === null;
  const answer = azureText
    ? { ...defaults.answer, streamed: AZURE_STREAMED_TEXT }
    : defaults.answer;
  const { whole, streamed = whole } = names ?? answer;
  return chooseForm(stream ? streamed : whole, { ...request, stream }, library);
}

type Asked = { endpoint: SimulatedEndpoint; streamByPath: boolean | null; stream: boolean };

function chooseNamed(name: string, asked: Asked, library: RecordingLibrary): Choice {
  const { endpoint, stream } = asked;
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
  // An error answers in the form asked for where it was recorded so, else in the other.
  const form = stream ? forms?.streamed : forms?.whole;
  if (either.kind === 'error') return { outcome: 'replay', recording: form ?? either };
  return chooseForm(name, asked, library);
}

function chooseForm(name: string, asked: Asked, library: RecordingLibrary): Choice {
  const forms = library.get(name);
  const recording = asked.stream ? forms?.streamed : forms?.whole;
  if (recording) return { outcome: 'replay', recording };

  const missing = asked.stream ? 'streaming' : 'non-streaming';
  const message = `recording '${name}' has no ${missing} form: ${otherForm(name, asked, library)}`;
  return { outcome: 'refuse', status: 400, message };
}

// Gemini and Bedrock ask for a stream by the path, the others by the body's `stream`.
function otherForm(name: string, asked: Asked, library: RecordingLibrary): string {
  if (asked.streamByPath === null) return `set stream to ${!asked.stream}`;
  const forms = library.get(name);
  if ((forms?.whole ?? forms?.streamed)?.endpoint === 'converse') {
    return `call ${asked.stream ? '/converse' : '/converse-stream'}`;
  }
  return `call :${asked.stream ? 'generateContent' : 'streamGenerateContent'}`;
}

// An agent's tool loop ends when the model answers the tool result with text.
function answerKind(endpoint: SimulatedEndpoint, body: RequestBody): AnswerKind {
  const tools = endpoint === 'converse' ? body.toolConfig.tools : body.tools;
  if (!offersTools(endpoint, tools)) return 'answer';
  return endsWithToolResult(endpoint, body) ? 'answer' : 'toolCall';
}

function offersTools(endpoint: SimulatedEndpoint, tools: unknown[]): boolean {
  switch (endpoint) {
    case 'chat.completions':
    case 'messages':
      return tools.length > 0;
    case 'converse':
      // A cache point in the tools list is not a tool.
      return tools.some((tool) => isRecord(tool) && isRecord(tool.toolSpec));
    case 'responses':
      // Only a function tool is the caller's to run; built-in tools run at OpenAI.
      return tools.some((tool) => hasType(tool, 'function'));
    case 'generate_content':
      return tools.some((tool) => isRecord(tool) && nonEmptyArray(tool.functionDeclarations));
    case 'embeddings':
      return false;
  }
}

function endsWithToolResult(endpoint: SimulatedEndpoint, body: RequestBody): boolean {
  switch (endpoint) {
    case 'chat.completions':
      return hasRole(body.messages.at(-1), 'tool');
    case 'messages':
      return userMessageWithToolResult(body.messages.at(-1));
    case 'responses':
      return hasType(body.input.at(-1), 'function_call_output');
    case 'generate_content':
      return contentWithFunctionResponse(body.contents.at(-1));
    case 'converse':
      return converseToolResult(body.messages.at(-1));
    case 'embeddings':
      return false;
  }
}

function converseToolResult(message: unknown): boolean {
  if (!isRecord(message) || message.role !== 'user' || !Array.isArray(message.content)) {
    return false;
  }
  return message.content.some((block: unknown) => isRecord(block) && isRecord(block.toolResult));
}

function userMessageWithToolResult(message: unknown): boolean {
  if (!isRecord(message) || message.role !== 'user' || !Array.isArray(message.content)) {
    return false;
  }
  return message.content.some((block: unknown) => hasType(block, 'tool_result'));
}

function contentWithFunctionResponse(content: unknown): boolean {
  if (!isRecord(content) || !Array.isArray(content.parts)) return false;
  return content.parts.some((part: unknown) => isRecord(part) && isRecord(part.functionResponse));
}

function hasRole(value: unknown, role: string): boolean {
  return isRecord(value) && value.role === role;
}

function hasType(value: unknown, type: string): boolean {
  return isRecord(value) && value.type === type;
}

function nonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Names the header value's problem without echoing long or odd input.
function describeValue(value: string): string {
  if (/^[A-Za-z0-9._-]{1,64}$/.test(value)) return `'${value}'`;
  return `a value of ${value.length} characters`;
}
