/**
 * The load generator: timed chat completion requests over a keep-alive undici Pool, sent one
 * at a time or by a fixed number of workers in a closed loop.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export type TargetName = 'direct' | 'gateway';

/** Non-streamed or streamed chat completions. */
export type RequestKind = 'plain' | 'stream';

/** Where requests go, and how many were sent there (the recording check counts them). */
export type Target = { name: TargetName; pool: Pool; path: string; sent: number };

/** Milliseconds from sending to the first body byte, and to the last. */
export type Timing = { firstByteMs: number; totalMs: number };

/** Failed requests, counted by reason. */
export type ErrorTally = Map<string, number>;

/** Timings of the requests that succeeded, and the failures. */
export type Sample = { timings: Timing[]; errors: ErrorTally };

const MESSAGES = [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }];
const BODIES: Record<RequestKind, string> = {
  plain: JSON.stringify({ model: 'gpt-4.1-nano', messages: MESSAGES }),
  // No stream_options: the gateway's default rewrite (ask for usage, hide it) is measured too.
  stream: JSON.stringify({ model: 'gpt-4.1-nano', messages: MESSAGES, stream: true }),
};
const HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer sk-bench-not-a-real-key',
};
const STREAM_END = Buffer.from('data: [DONE]\n\n');

/** A target whose pool keeps up to `connections` sockets alive. */
export function createTarget(name: TargetName, origin: string, path: string, connections: number) {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  return { name, pool, path, sent: 0 } satisfies Target;
}

/** An empty sample to fill. */
export function emptySample(): Sample {
  return { timings: [], errors: new Map() };
}

/** Sends one request and reads its whole body; a stream must end with `[DONE]`. */
export async function timedRequest(target: Target, kind: RequestKind): Promise<Timing | string> {
  target.sent += 1;
  const start = performance.now();
  try {
    const response = await target.pool.request({
      path: target.path,
      method: 'POST',
      headers: HEADERS,
      body: BODIES[kind],
    });
    let firstByteMs: number | null = null;
    let tail = Buffer.alloc(0);
    for await (const chunk of response.body) {
      firstByteMs ??= performance.now() - start;
      tail = Buffer.concat([tail, chunk as Buffer]).subarray(-STREAM_END.length);
    }
    const totalMs = performance.now() - start;

    if (response.statusCode !== 200) return `status ${response.statusCode}`;
    if (kind === 'stream' && !tail.equals(STREAM_END)) return 'stream ended without [DONE]';
    return { firstByteMs: firstByteMs ?? totalMs, totalMs };
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

/** Adds one request's outcome to a sample. */
export function addOutcome(sample: Sample, outcome: Timing | string): void {
  if (typeof outcome === 'string') {
    sample.errors.set(outcome, (sample.errors.get(outcome) ?? 0) + 1);
  } else {
    sample.timings.push(outcome);
  }
}

/** Sends `count` requests one after another (one in flight). */
export async function runSequential(
  target: Target,
  kind: RequestKind,
  count: number,
  sample: Sample,
): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    addOutcome(sample, await timedRequest(target, kind));
  }
}

/**
 * Keeps `concurrency` requests in flight for `durationMs`: each worker sends its next request
 * as soon as the last one ends. Returns the time until the last worker finished.
 */
export async function runClosedLoop(
  target: Target,
  kind: RequestKind,
  options: { concurrency: number; durationMs: number },
  sample: Sample,
): Promise<number> {
  const start = performance.now();
  const deadline = start + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) addOutcome(sample, await timedRequest(target, kind));
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return performance.now() - start;
}
