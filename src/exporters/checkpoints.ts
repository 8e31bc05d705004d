/**
 * Publishes each signed checkpoint outside the store (an append-only file, webhooks), so that
 * someone able to rewrite the database cannot also rewrite the checkpoints others hold.
 */
import { createHmac } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { PublishConfig } from '../config/schema.js';
import type { StoredCheckpoint } from '../ledger/types.js';

/** The header that carries a webhook body's HMAC. */
export const SIGNATURE_HEADER = 'x-auditgate-signature';

export type PublisherOptions = {
  logger: Logger;
  environment: NodeJS.ProcessEnv;
  /** First wait before retrying a webhook, doubled each failure. Default 500 ms. */
  retryDelayMs?: number;
  /** Longest wait between retries. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Attempts per webhook delivery before giving up (logged). Default 10. */
  maxAttempts?: number;
};

/** The checkpoint publisher: `publish` returns at once; `close` waits for deliveries. */
export type CheckpointPublisher = {
  publish(checkpoint: StoredCheckpoint): void;
  /** Deliveries not yet done (pending or retrying). */
  readonly backlog: number;
  close(): Promise<void>;
};

/** `sha256=<hex HMAC-SHA-256 of body>`: the webhook signature INTERFACE.md names. */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Starts a publisher for the configured sinks. */
export function createCheckpointPublisher(
  sinks: readonly PublishConfig[],
  options: PublisherOptions,
): CheckpointPublisher {
  const { logger } = options;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const deliveries = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  // File appends run one after another, so notes land in the file in signing order.
  let fileChain: Promise<void> = Promise.resolve();

  const track = (delivery: Promise<void>) => {
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  };

  const wait = (milliseconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, milliseconds);
      timers.add(timer);
    });

  async function deliver(url: string, secret: string | null, checkpoint: StoredCheckpoint) {
    const body = JSON.stringify({ type: 'ledger.checkpoint', checkpoint });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret) headers[SIGNATURE_HEADER] = webhookSignature(body, secret);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      try {
        const response = await fetch(url, { method: 'POST', headers, body });
        await response.body?.cancel();
        if (response.ok) return;
        logger.warn({ status: response.status, attempt }, 'checkpoint webhook refused');
      } catch (error) {
        logger.warn({ err: error, attempt }, 'checkpoint webhook unreachable');
      }
      if (closed || attempt === maxAttempts) break;
      await wait(Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (attempt - 1)));
    }
    logger.error({ treeSize: checkpoint.treeSize }, 'checkpoint webhook gave up');
  }

  return {
    publish(checkpoint) {
      for (const sink of sinks) {
        if (sink.type === 'file') {
          fileChain = fileChain
            .then(() => appendFile(sink.path, `${checkpoint.note}\n`, { mode: 0o600 }))
            .catch((error: unknown) => {
              logger.error({ err: error, path: sink.path }, 'checkpoint not written to file');
            });
          track(fileChain);
        } else {
          const secret =
            sink.secret ?? (sink.secretEnv ? options.environment[sink.secretEnv] : undefined);
          track(deliver(sink.url, secret ?? null, checkpoint));
        }
      }
    },
    get backlog() {
      return deliveries.size;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.race([
        Promise.allSettled([...deliveries]),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
    },
  };
}
