import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const ANTHROPIC_STREAM = readFileSync(
  new URL('../fixtures/recorded/anthropic/anthropic-text.chunks.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);

type Upstream = {
  server: Server;
  url: string;
  /** Bodies received, as bytes. */
  bodies: Buffer[];
  /** Lets a held stream send the rest of its events. */
  release: () => void;
};

/** An upstream that sends the first streamed event, then holds the rest until released. */
async function startHeldUpstream(): Promise<Upstream> {
  const bodies: Buffer[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      bodies.push(Buffer.concat(chunks));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(ANTHROPIC_STREAM[0]);
      await held;
      for (const event of ANTHROPIC_STREAM.slice(1)) response.write(event);
      response.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, bodies, release: () => release() };
}

describe('forwarding', () => {
  let upstream: Upstream;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startHeldUpstream();
    const folder = mkdtempSync(join(tmpdir(), 'auditgate-config-'));
    const configFile = join(folder, 'auditgate.yaml');
    writeFileSync(
      configFile,
      `providers:\n  anthropic: { type: anthropic, baseUrl: ${upstream.url} }\n` +
        `  openai: { type: openai, baseUrl: ${upstream.url} }\n`,
    );
    gateway = await startTestGateway({ simulate: false, configFile });
  });
  after(async () => {
    await gateway.stop();
    upstream.server.close();
  });

  it('delivers the first event while the upstream is still sending, then every byte', async () => {
    // Odd whitespace and key order: the upstream must receive exactly these bytes.
    const body =
      '{ "stream":true,\n  "model": "claude-sonnet-4-5", "max_tokens" :64,' +
      '"messages":[{"role":"user","content":"Hello, how are you?"}] }';
    const response = await fetch(`${gateway.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' },
      body,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();

    // The upstream holds everything after its first event until this read succeeds, so a
    // gateway that buffered the stream would never deliver it.
    let received = '';
    while (!received.endsWith('\n\n')) {
      const { value } = await reader.read();
      received += decoder.decode(value, { stream: true });
    }
    assert.equal(received, ANTHROPIC_STREAM[0]);

    upstream.release();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      received += decoder.decode(part.value, { stream: true });
    }
    assert.equal(received, ANTHROPIC_STREAM.join(''));
    assert.equal(upstream.bodies.at(-1)?.toString('utf8'), body);

    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'ok');
    assert.equal(event.response?.simulated, false);
    assert.equal(event.usage?.outputTokens, 30);
  });

  it('inserts stream_options.include_usage without disturbing any other byte', async () => {
    upstream.release();
    const body =
      '{"model":"gpt-4.1-nano",  "stream": true,"messages":[{"role":"user","content":"}{"}]}\n';
    const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body,
    });
    await response.arrayBuffer();
    assert.equal(
      upstream.bodies.at(-1)?.toString('utf8'),
      '{"model":"gpt-4.1-nano",  "stream": true,"messages":[{"role":"user","content":"}{"}]' +
        ',"stream_options":{"include_usage":true}}\n',
    );
    const event = await gateway.event(response.headers.get('x-auditgate-event-id'));
    assert.deepEqual(event.request?.rewrites, [
      {
        path: 'stream_options.include_usage',
        reason: 'usage for the audit record',
        from: null,
        to: true,
      },
    ]);
    // The hash and size are of the body the caller sent.
    assert.equal(event.request?.bodyBytes, Buffer.byteLength(body));
  });
});
