import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Endpoint } from '../event/types.js';

/**
 * The provider whose API a recording speaks, which sets the error body and the request id
 * header: OpenAI (chat, Responses, embeddings; also DeepSeek, Mistral, Azure), Anthropic or
 * Google Gemini.
 */
export type ProviderFamily = 'openai' | 'anthropic' | 'gemini';

/** The endpoints the simulator answers, in the event vocabulary. */
export type SimulatedEndpoint = Extract<
  Endpoint,
  'chat.completions' | 'responses' | 'embeddings' | 'messages' | 'generate_content'
>;

/** What a recording answers; an error is a 4xx or 5xx body, or an error event in a 200 stream. */
export type RecordingKind = 'text' | 'tool_call' | 'embedding' | 'error';

/** One recorded (or derived) file, described. */
export type RecordingEntry = {
  /** Path under the recordings folder. */
  file: string;
  family: ProviderFamily;
  endpoint: SimulatedEndpoint;
  stream: boolean;
  kind: RecordingKind;
  /** The HTTP status the provider answered with (200 for an error sent inside a stream). */
  status: number;
  /** Written by hand from a recorded file, not captured from a live API (see the README). */
  derived?: true;
  /** Why the file, as recorded, cannot be replayed; the simulator lists it but never loads it. */
  broken?: string;
  note?: string;
};

/** One streamed event: its JSON text exactly as recorded, and its `type` field if any. */
export type RecordedEvent = { json: string; type: string | undefined };

export type LoadedRecording = RecordingEntry & { name: string } & (
    { stream: false; body: string } | { stream: true; events: RecordedEvent[] }
  );

/** Both forms of one recording name, as far as they exist. */
export type RecordingForms = { whole?: LoadedRecording; streamed?: LoadedRecording };

export type RecordingLibrary = ReadonlyMap<string, RecordingForms>;

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
export class RecordingLoadError extends Error {
  readonly code = 'recording_load_failed';

  constructor(file: string, reason: string) {
    super(`recording ${file}: ${reason}`);
    this.name = 'RecordingLoadError';
  }
}

// Resolved from this module, so it holds from src/simulator and from dist/simulator alike.
const packageRecordingsDirectory = fileURLToPath(
  new URL('../../test/fixtures/recorded/', import.meta.url),
);

/** The recordings folder that ships with the package. */
export function defaultRecordingsDirectory(): string {
  return packageRecordingsDirectory;
}

/** The recording name of a file: its base name without `.json` or `.chunks.txt`. */
export function recordingName(file: string): string {
  const baseName = file.slice(file.lastIndexOf('/') + 1);
  return baseName.replace(/\.chunks\.txt$|\.json$/, '');
}

/** Reads every servable file in the manifest, once; throws on a missing or bad file. */
export async function loadRecordings(directory: string): Promise<RecordingLibrary> {
  const servable = recordingManifest.filter((entry) => entry.broken === undefined);
  const loaded = await Promise.all(servable.map((entry) => loadOne(directory, entry)));
  const library = new Map<string, RecordingForms>();
  for (const recording of loaded) {
    const forms = library.get(recording.name) ?? {};
    if (recording.stream) forms.streamed = recording;
    else forms.whole = recording;
    library.set(recording.name, forms);
  }
  return library;
}

async function loadOne(directory: string, entry: RecordingEntry): Promise<LoadedRecording> {
  const text = await readFile(join(directory, entry.file), 'utf8').catch((error: unknown) => {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new RecordingLoadError(entry.file, reason);
  });
  const name = recordingName(entry.file);
  if (entry.stream) return { ...entry, name, stream: true, events: parseEvents(entry.file, text) };
  parseJson(entry.file, text);
  return { ...entry, name, stream: false, body: text };
}

function parseEvents(file: string, text: string): RecordedEvent[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  return lines.flatMap((line, index) => {
    if (line.trim() === '') return [];
    const value = parseJson(`${file} line ${index + 1}`, line);
    const type = isRecord(value) && typeof value.type === 'string' ? value.type : undefined;
    return [{ json: line, type }];
  });
}

function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RecordingLoadError(where, 'not valid json');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
