import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';

/** Where the decoded response bytes go: a stream assembler, or a collector of the body. */
export type TapSink = { write(chunk: Uint8Array): void };

/**
 * A copy of the response read beside the bytes the client gets: it hashes the bytes as sent
 * and hands the decoded bytes (after `content-encoding`) to a sink. It never alters what the
 * client receives, and a decoding failure only stops the copy.
 */
export class ResponseTap {
  bytes = 0;
  decodeFailed = false;
  private readonly hash: Hash = createHash('sha256');
  private readonly decoder: Transform | null;

  constructor(
    contentEncoding: string | undefined,
    private readonly sink: TapSink,
  ) {
    const decoder = createDecoder(contentEncoding);
    this.decodeFailed = decoder === 'unsupported';
    this.decoder = decoder === 'identity' || decoder === 'unsupported' ? null : decoder;
    this.decoder?.on('data', (chunk: Buffer) => this.sink.write(chunk));
    this.decoder?.on('error', () => {
      this.decodeFailed = true;
    });
  }

  /** Reads the next bytes as the upstream sent them. */
  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.decodeFailed) return;
    if (this.decoder) this.decoder.write(chunk);
    else this.sink.write(chunk);
  }

  /** Waits for the decoder to drain; returns the SHA-256 of the bytes as sent. */
  async end(): Promise<string> {
    if (this.decoder && !this.decodeFailed) {
      this.decoder.end();
      await Promise.race([once(this.decoder, 'end'), once(this.decoder, 'error')]).catch(() => {
        this.decodeFailed = true;
      });
    }
    return this.hash.digest('hex');
  }
}

function createDecoder(
  contentEncoding: string | undefined,
): Transform | 'identity' | 'unsupported' {
  switch (contentEncoding?.trim().toLowerCase() ?? 'identity') {
    case 'identity':
    case '':
      return 'identity';
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      // zstd and anything else this runtime cannot decode: the client still gets the bytes,
      // the record keeps their hash and size.
      return 'unsupported';
  }
}

/** Collects a whole body up to a cap; beyond it the copy is marked truncated. */
export class BodyCollector implements TapSink {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  write(chunk: Uint8Array): void {
    if (this.truncated) return;
    if (this.size + chunk.length > this.cap) {
      this.truncated = true;
      return;
    }
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.length;
  }

  /** The collected body as text (UTF-8). */
  text(): string {
    return Buffer.concat(this.chunks, this.size).toString('utf8');
  }
}
