/**
 * Recorded provider responses, framed as each provider sends them on the wire (see
 * test/fixtures/recorded/README.md), and ways to cut bytes into chunks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const recorded = fileURLToPath(new URL('../fixtures/recorded/', import.meta.url));

/** The JSON lines of a `.chunks.txt` recording, as text, in order. */
export function chunkLines(name: string): string[] {
  return readFileSync(`${recorded}${name}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The lines of a recording, each parsed (our own fixture, so a plain parse is fine here). */
export function chunkObjects(name: string): Record<string, unknown>[] {
  return chunkLines(name).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A whole recorded `.json` body, parsed. */
export function jsonBody(name: string): unknown {
  return JSON.parse(readFileSync(`${recorded}${name}`, 'utf8')) as unknown;
}

/** An OpenAI chat stream as sent: `data: <json>` events, then `data: [DONE]`. */
export function openaiStream(name: string, separator = '\n\n'): Buffer {
  const events = chunkLines(name).map((line) => `data: ${line}${separator}`);
  return Buffer.from(`${events.join('')}data: [DONE]${separator}`);
}

/** An Anthropic Messages stream as sent: `event: <type>` and `data: <json>` per event. */
export function anthropicStream(name: string): Buffer {
  const events = chunkLines(name).map((line) => {
    const type = (JSON.parse(line) as { type: string }).type;
    return `event: ${type}\ndata: ${line}\n\n`;
  });
  return Buffer.from(events.join(''));
}

/** A small seeded generator (mulberry32), so that a failing random split can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts bytes into chunks of random sizes from 1 to `maxSize` bytes. */
export function randomChunks(bytes: Uint8Array, seed: number, maxSize = 64): Uint8Array[] {
  const random = seededRandom(seed);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length;) {
    const size = 1 + Math.floor(random() * maxSize);
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

/** Cuts bytes into two chunks at `index`. */
export function splitAt(bytes: Uint8Array, index: number): Uint8Array[] {
  return [bytes.subarray(0, index), bytes.subarray(index)];
}

/** Cuts bytes into one-byte chunks. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1));
}
