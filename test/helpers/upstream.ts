import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request as a test upstream received it. */
export type ReceivedRequest = {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the connection that carried this request closes. */
  closed: Promise<void>;
};

export type UpstreamHandler = (
  request: ReceivedRequest,
  response: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

/** A node:http server standing in for a provider, misbehaving however a test asks. */
export type TestUpstream = {
  url: string;
  /** Every request received so far, in order. */
  requests: ReceivedRequest[];
  /** Resolves with the `count`th request once it has arrived (1 is the first). */
  received(count: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
};

/** Starts an upstream on a free loopback port that answers each request with `handler`. */
export async function startUpstream(handler: UpstreamHandler): Promise<TestUpstream> {
  const requests: ReceivedRequest[] = [];
  let waiting: (() => void)[] = [];

  const server = createServer((raw, response) => {
    void receive(raw).then(async (request) => {
      requests.push(request);
      for (const wake of waiting) wake();
      waiting = [];
      try {
        await handler(request, response, raw);
      } catch {
        response.destroy();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async received(count) {
      while (requests.length < count) await new Promise<void>((wake) => waiting.push(wake));
      return requests[count - 1] as ReceivedRequest;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function receive(raw: IncomingMessage): Promise<ReceivedRequest> {
  const closed = new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(chunk as Buffer);
  return {
    method: raw.method ?? '',
    url: raw.url ?? '',
    headers: raw.headers,
    body: Buffer.concat(chunks).toString('utf8'),
    closed,
  };
}

/** A loopback port that nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A temporary config file; `remove` deletes its folder. */
export type ConfigFile = { path: string; remove(): void };

/**
 * Writes `config` as a gateway config file. JSON is valid YAML 1.2, so the object is written
 * as JSON and read by the gateway's YAML loader unchanged.
 */
export function writeConfig(config: Record<string, unknown>): ConfigFile {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-config-'));
  const path = join(folder, 'auditgate.yaml');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** An `openai` and an `anthropic` provider, both pointed at `baseUrl`. */
export function providersAt(baseUrl: string): Record<string, unknown> {
  return {
    openai: { type: 'openai', baseUrl },
    anthropic: { type: 'anthropic', baseUrl },
  };
}

/** Frames one recorded OpenAI chunk line as a server-sent event. */
export function sseFrame(line: string): string {
  return `data: ${line}\n\n`;
}

/** Resolves after `milliseconds`. */
export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Resolves with `promise`, or rejects naming `what` after `milliseconds`. */
export async function within<T>(milliseconds: number, what: string, promise: Promise<T>) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${milliseconds} ms`)),
      milliseconds,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
