import type { LoadedRecording } from './recordings.js';

/** Bytes in one float32, the type of each number of a base64-encoded embedding. */
const FLOAT_BYTES = 4;

/**
 * The embeddings recording as the API answers the request: with `encoding_format: 'base64'`
 * (the openai SDK's default) each vector is the base64 of its little-endian float32s, so the
 * recorded lists are encoded that way; any other recording or request is returned unchanged.
 */
export function shapeEmbeddings(recording: LoadedRecording, body: unknown): LoadedRecording {
  if (recording.kind !== 'embedding' || recording.stream) return recording;
  if (!isRecord(body) || body.encoding_format !== 'base64') return recording;
  return { ...recording, body: withBase64Vectors(recording.body) };
}

function withBase64Vectors(text: string): string {
  // The recording was parsed once at load, so this parse of the same text cannot fail.
  const response = JSON.parse(text) as unknown;
  if (!isRecord(response) || !Array.isArray(response.data)) return text;
  const data = response.data.map((item: unknown) =>
    isRecord(item) && Array.isArray(item.embedding)
      ? { ...item, embedding: base64Float32(item.embedding) }
      : item,
  );
  return JSON.stringify({ ...response, data }, null, 2);
}

function base64Float32(vector: unknown[]): string {
  const bytes = Buffer.alloc(vector.length * FLOAT_BYTES);
  vector.forEach((value, index) => {
    bytes.writeFloatLE(typeof value === 'number' ? value : Number.NaN, index * FLOAT_BYTES);
  });
  return bytes.toString('base64');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
