import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type RequestBody =
  | { kind: 'complete'; bytes: Buffer; sha256: string }
  | { kind: 'too_large'; bytesSeen: number }
  | { kind: 'aborted'; bytesSeen: number };

/**
 * Reads the request body as bytes, exactly as sent, up to `limit` bytes. A declared length
 * over the limit is refused before anything is read.
 */
export async function readRequestBody(
  request: IncomingMessage,
  limit: number,
): Promise<RequestBody> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return { kind: 'too_large', bytesSeen: declared };
  }

  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of request) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) return { kind: 'too_large', bytesSeen: size };
      hash.update(buffer);
      chunks.push(buffer);
    }
  } catch {
    return { kind: 'aborted', bytesSeen: size };
  }
  if (!request.complete) return { kind: 'aborted', bytesSeen: size };

  return { kind: 'complete', bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}
