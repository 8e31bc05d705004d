import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Endpoint } from '../event/types.js';
import { recordingManifest } from './manifest.js';

/**
 * The provider whose API a recording speaks, which sets the error body and the request id
 * header: OpenAI (chat, Responses, embeddings; also DeepSeek, Mistral, Azure), Anthropic,
 * Google Gemini or Amazon Bedrock.
 */
export type ProviderFamily = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

/** The endpoints the simulator answers, in the event vocabulary. */
export type SimulatedEndpoint = Extract<
  Endpoint,
  'chat.completions' | 'responses' | 'embeddings' | 'messages' | 'generate_content' | 'converse'
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

export { recordingManifest };

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
