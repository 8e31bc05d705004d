/** Every file in test/fixtures/recorded that the simulator serves, with what it is. */
import type { RecordingEntry } from './recordings.js';

const openaiChat = { family: 'openai', endpoint: 'chat.completions' } as const;
const openaiResponses = { family: 'openai', endpoint: 'responses' } as const;
const openaiEmbeddings = { family: 'openai', endpoint: 'embeddings' } as const;
const anthropic = { family: 'anthropic', endpoint: 'messages' } as const;
const gemini = { family: 'gemini', endpoint: 'generate_content' } as const;
const ok = { status: 200 } as const;

// No Responses recording is a plain text answer: each has reasoning or a server-side tool
// before its text. These notes say which one the simulator answers text with by default.
const defaultWholeText =
  'no responses recording is plain text: reasoning (encrypted, with a summary) then text; ' +
  'the default whole text answer';
const defaultStreamedText =
  'no responses recording is plain text: reasoning, a server-side file_search, then text ' +
  'with file citations; the default streamed text answer';

/** Every file in test/fixtures/recorded, with what it is. */
export const recordingManifest: readonly RecordingEntry[] = [
  { file: 'openai-chat/openai-text.json', ...openaiChat, ...ok, stream: false, kind: 'text' },
  { file: 'openai-chat/openai-text.chunks.txt', ...openaiChat, ...ok, stream: true, kind: 'text' },
  {
    file: 'openai-chat/azure-model-router.1.chunks.txt',
    ...openaiChat,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'azure openai, with prompt_filter_results',
  },
  {
    file: 'openai-chat/reasoning-model-legacy-parameter-error.json',
    ...openaiChat,
    stream: false,
    kind: 'error',
    status: 400,
  },
  {
    file: 'openai-chat/openai-rate-limit-error.derived.json',
    ...openaiChat,
    stream: false,
    kind: 'error',
    status: 429,
    derived: true,
  },
  {
    file: 'deepseek-chat/deepseek-tool-call.json',
    ...openaiChat,
    ...ok,
    stream: false,
    kind: 'tool_call',
    note: 'deepseek in the openai chat shape; the default openai tool call',
  },
  {
    file: 'deepseek-chat/deepseek-tool-call.chunks.txt',
    ...openaiChat,
    ...ok,
    stream: true,
    kind: 'tool_call',
    note: 'deepseek in the openai chat shape; the default openai tool call',
  },
  {
    file: 'deepseek-chat/deepseek-reasoning.chunks.txt',
    ...openaiChat,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'deepseek, reasoning_content deltas',
  },
  {
    file: 'mistral/mistral-incremental-tool-call.chunks.txt',
    ...openaiChat,
    ...ok,
    stream: true,
    kind: 'tool_call',
    note: 'mistral in the openai chat shape',
  },
  { file: 'anthropic/anthropic-text.json', ...anthropic, ...ok, stream: false, kind: 'text' },
  { file: 'anthropic/anthropic-text.chunks.txt', ...anthropic, ...ok, stream: true, kind: 'text' },
  {
    file: 'anthropic/anthropic-text-cache.derived.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'text',
    derived: true,
  },
  {
    file: 'anthropic/anthropic-json-tool.1.json',
    ...anthropic,
    ...ok,
    stream: false,
    kind: 'tool_call',
  },
  {
    file: 'anthropic/anthropic-json-tool.1.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'tool_call',
  },
  {
    file: 'anthropic/anthropic-tool-no-args.json',
    ...anthropic,
    ...ok,
    stream: false,
    kind: 'tool_call',
  },
  {
    file: 'anthropic/anthropic-tool-no-args.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'tool_call',
  },
  {
    file: 'anthropic/anthropic-clear-thinking.1.json',
    ...anthropic,
    ...ok,
    stream: false,
    kind: 'text',
    note: 'thinking block before the text',
  },
  {
    file: 'anthropic/anthropic-clear-thinking.1.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'thinking block before the text',
  },
  {
    file: 'anthropic/anthropic-message-delta-input-tokens.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'input_tokens in message_delta differ from message_start',
  },
  {
    file: 'anthropic/anthropic-refusal.json',
    ...anthropic,
    ...ok,
    stream: false,
    kind: 'text',
    note: 'stop_reason refusal, no content',
  },
  {
    file: 'anthropic/anthropic-refusal.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'stop_reason refusal, no content',
  },
  {
    file: 'anthropic/anthropic-web-search-tool.1.json',
    ...anthropic,
    ...ok,
    stream: false,
    kind: 'text',
    note: 'server-side web_search, so the client gets the final text',
  },
  {
    file: 'anthropic/anthropic-web-search-tool.1.chunks.txt',
    ...anthropic,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'server-side web_search, so the client gets the final text',
  },
  {
    file: 'anthropic/anthropic-overloaded-error.derived.json',
    ...anthropic,
    stream: false,
    kind: 'error',
    status: 529,
    derived: true,
  },
  {
    file: 'openai-responses/openai-reasoning-encrypted-content.1.json',
    ...openaiResponses,
    ...ok,
    stream: false,
    kind: 'text',
    note: defaultWholeText,
  },
  {
    file: 'openai-responses/openai-reasoning-encrypted-content.1.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'text',
    note:
      'four responses of a tool loop back to back, as recorded (three calculator calls, then ' +
      'reasoning and text); not the streamed form of the whole answer, so no default',
  },
  {
    file: 'openai-responses/openai-file-search-tool.1.json',
    ...openaiResponses,
    ...ok,
    stream: false,
    kind: 'text',
    note: 'reasoning, a server-side file_search, then text with file citations',
  },
  {
    file: 'openai-responses/openai-file-search-tool.1.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'text',
    note: defaultStreamedText,
  },
  {
    file: 'openai-responses/parallel-tool-call-wrapper.1.json',
    ...openaiResponses,
    ...ok,
    stream: false,
    kind: 'tool_call',
    note: 'one function call named parallel wrapping two calls; the default whole tool call',
  },
  {
    file: 'openai-responses/parallel-tool-call-wrapper.1.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'tool_call',
    broken:
      'the response.created and response.completed lines lack their final closing brace ' +
      '(so in vercel/ai too); parallel-tool-call-wrapper.1.derived is served instead',
  },
  {
    file: 'openai-responses/parallel-tool-call-wrapper.1.derived.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'tool_call',
    derived: true,
    note: 'the recorded stream with its two missing braces added; the default streamed tool call',
  },
  {
    file: 'openai-responses/openai-custom-tool.1.json',
    ...openaiResponses,
    ...ok,
    stream: false,
    kind: 'tool_call',
    note: 'a custom (free-form input) tool call',
  },
  {
    file: 'openai-responses/openai-custom-tool.1.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'tool_call',
    note: 'a custom (free-form input) tool call, its input in deltas',
  },
  {
    file: 'openai-responses/openai-mcp-tool-approval.1.json',
    ...openaiResponses,
    ...ok,
    stream: false,
    kind: 'tool_call',
    note: 'ends with an mcp_approval_request that the client must answer',
  },
  {
    file: 'openai-responses/openai-mcp-tool-approval.1.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'tool_call',
    note: 'ends with an mcp_approval_request that the client must answer',
  },
  {
    file: 'openai-responses/openai-mcp-tool-approval.2.json',
    ...openaiResponses,
    ...ok,
    stream: false,
    kind: 'text',
    note: 'the answer after an mcp approval: the server listed the mcp tools, then text',
  },
  {
    file: 'openai-responses/openai-mcp-tool-approval.2.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'the answer after an mcp approval: the server listed the mcp tools, then text',
  },
  {
    file: 'openai-responses/openai-error.1.json',
    ...openaiResponses,
    stream: false,
    kind: 'error',
    status: 429,
    note: 'insufficient_quota, which openai answers with status 429',
  },
  {
    file: 'openai-responses/openai-error.1.chunks.txt',
    ...openaiResponses,
    ...ok,
    stream: true,
    kind: 'error',
    note: 'insufficient_quota inside a 200 stream: an error event, then response.failed',
  },
  {
    file: 'openai-embedding/openai-embedding.json',
    ...openaiEmbeddings,
    ...ok,
    stream: false,
    kind: 'embedding',
    note:
      'two inputs, five dimensions each, as float lists; asked for base64 (the openai ' +
      "SDK's default), the simulator sends each as base64 float32, as the API does",
  },
  { file: 'google/google-text.json', ...gemini, ...ok, stream: false, kind: 'text' },
  { file: 'google/google-text.chunks.txt', ...gemini, ...ok, stream: true, kind: 'text' },
  {
    file: 'google/google-reasoning.json',
    ...gemini,
    ...ok,
    stream: false,
    kind: 'text',
    note: 'the same question as google-text, with more thought tokens',
  },
  {
    file: 'google/google-reasoning.chunks.txt',
    ...gemini,
    ...ok,
    stream: true,
    kind: 'text',
    note: 'the same question as google-text, with more thought tokens',
  },
  { file: 'google/google-tool-call.json', ...gemini, ...ok, stream: false, kind: 'tool_call' },
  {
    file: 'google/google-tool-call.chunks.txt',
    ...gemini,
    ...ok,
    stream: true,
    kind: 'tool_call',
  },
  {
    file: 'google/google-429-retry-info.json',
    ...gemini,
    stream: false,
    kind: 'error',
    status: 429,
    note: 'RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo details',
  },
];

/** A recording file that is missing or cannot be read as its form requires. */
