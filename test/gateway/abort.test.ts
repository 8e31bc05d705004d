import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { EVENT_ID, outcomeOf, outputText, waitForEvent } from '../helpers/recorded.js';
import {
  delay,
  providersAt,
  sseFrame,
  startUpstream,
  within,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const CHAT_PATH = '/v1/chat/completions';

// The first recorded chunks of a real OpenAI chat stream: a role chunk, then "**",
// "Holiday", " Name", ":**".
const recordedChunks = readFileSync(
  new URL('../fixtures/recorded/openai-chat/openai-text.chunks.txt', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '');
const firstFrames = recordedChunks.slice(0, 5).map(sseFrame);

const streamBody = JSON.stringify({
  model: 'gpt-4.1-nano',
  stream: true,
  messages: [{ role: 'user', content: 'Name a holiday.' }],
});

/** Starts a streamed chat call; the caller reads `reader` and may `abort`. */
async function startStream(gatewayUrl: string) {
  const abort = new AbortController();
  const response = await fetch(`${gatewayUrl}/openai${CHAT_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-stream' },
    body: streamBody,
    signal: abort.signal,
  });
  assert.ok(response.body, 'the response has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let received = '';

  return {
    response,
    abort: () => abort.abort(),
    received: () => received,
    /** Reads until `count` SSE frames have arrived. */
    async readFrames(count: number) {
      while (received.split('\n\n').length - 1 < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended after ${received.length} characters`);
        received += decoder.decode(value, { stream: true });
      }
    },
    /** Reads to the end; resolves with the error the stream failed with, or null. */
    async readToEnd(): Promise<unknown> {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return null;
          received += decoder.decode(value, { stream: true });
        }
      } catch (error) {
        return error;
      }
    },
  };
}

describe('a client that disconnects mid-stream', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const frame of firstFrames) {
        response.write(frame);
        await delay(10);
      }
      // Then nothing more: the stream stays open until someone closes it.
    });
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    // The upstream first: its open calls would keep the gateway's client from closing.
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  it('records client_aborted with the partial text, and closes the upstream call', async () => {
    const stream = await startStream(gateway.url);
    const eventId = stream.response.headers.get('x-auditgate-event-id');
    assert.equal(stream.response.status, 200);
    assert.match(eventId ?? '', EVENT_ID);

    await stream.readFrames(firstFrames.length);
    assert.equal(stream.received(), firstFrames.join(''));
    stream.abort();

    const upstreamCall = await upstream.received(1);
    await within(2000, 'the upstream connection closing', upstreamCall.closed);

    const event = await waitForEvent(gateway, eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: { status: 'client_aborted', error: 'the client disconnected mid-response' },
      httpStatus: 200,
      error: null,
      usageSource: 'missing',
    });
    assert.equal(outputText(event), '**Holiday Name:**');
    assert.equal(event.response?.id, 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0');
    assert.equal(event.request?.stream, true);
  });
});

describe('an upstream that resets the connection mid-stream', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startUpstream(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const frame of firstFrames.slice(0, 3)) {
        response.write(frame);
        await delay(10);
      }
      response.socket?.resetAndDestroy();
    });
    config = writeConfig({ providers: providersAt(upstream.url) });
    gateway = await startTestGateway({ configFile: config.path, simulate: false });
  });

  after(async () => {
    await upstream.close();
    await gateway.stop();
    config.remove();
  });

  it("errors the client's stream and records upstream_error with the partial text", async () => {
    const stream = await startStream(gateway.url);
    const eventId = stream.response.headers.get('x-auditgate-event-id');
    assert.equal(stream.response.status, 200);

    const failure = await within(2000, 'the stream failing', stream.readToEnd());
    assert.ok(failure instanceof Error, 'the client saw a clean end of a broken stream');
    assert.equal(stream.received(), firstFrames.slice(0, 3).join(''));

    const event = await waitForEvent(gateway, eventId);
    assert.deepEqual(outcomeOf(event), {
      kind: 'llm.call',
      provider: 'openai',
      path: CHAT_PATH,
      outcome: {
        status: 'upstream_error',
        error: "the provider's connection failed mid-response (ECONNRESET)",
      },
      httpStatus: 200,
      error: null,
      usageSource: 'missing',
    });
    assert.equal(outputText(event), '**Holiday');
  });
});

describe('a gateway killed while a call is in flight', () => {
  const script = fileURLToPath(new URL('../helpers/gateway-process.ts', import.meta.url));
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  const key = 'sk-test-interrupted';

  let upstream: TestUpstream;
  let config: ConfigFile;
  let dataFolder: string;
  let child: ChildProcess | null = null;
  let gateway: TestGateway | null = null;
  let events: AuditEvent[] = [];

  before(async () => {
    upstream = await startUpstream(() => {
      // Accepts the call and never answers.
    });
    config = writeConfig({ providers: providersAt(upstream.url) });
    dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-crash-'));

    const started = spawn(process.execPath, ['--import', 'tsx', script, dataFolder, config.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = started;
    const url = await within(60_000, 'the gateway process starting', gatewayUrl(started));

    const call = fetch(`${url}/openai${CHAT_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        traceparent: `00-${traceId}-${parentSpanId}-01`,
      },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    }).then(
      () => assert.fail('the killed gateway answered'),
      () => undefined,
    );
    await within(5000, 'the call reaching the upstream', upstream.received(1));

    started.kill('SIGKILL');
    await once(started, 'exit');
    child = null;
    await call;

    gateway = await startTestGateway({ dataFolder, configFile: config.path, simulate: false });
    const { status, body } = await gateway.api(`/api/v1/events?trace=${traceId}`);
    assert.equal(status, 200);
    events = (body as { events: AuditEvent[] }).events;
  });

  after(async () => {
    child?.kill('SIGKILL');
    await upstream.close();
    await gateway?.stop();
    config.remove();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('records the call as interrupted from the journal when the gateway restarts', () => {
    assert.equal(gateway?.recovered, 1);
    assert.equal(events.length, 1, `events in trace ${traceId}: ${events.length}`);
    const [event] = events as [AuditEvent];

    assert.match(event.id, EVENT_ID);
    assert.equal(event.kind, 'llm.call');
    assert.deepEqual(event.outcome, {
      status: 'interrupted',
      error: 'the gateway stopped before the call finished',
    });
    assert.equal(event.request?.provider, 'openai');
    assert.equal(event.request?.path, CHAT_PATH);
    assert.equal(event.request?.model, 'gpt-4o-mini');
    assert.equal(event.trace.traceId, traceId);
    assert.equal(event.trace.parentSpanId, parentSpanId);
    assert.equal(event.identity.keyFingerprint, fingerprint(key));
    assert.equal(event.response, null);
  });

  it('leaves no journal row behind, so a second restart records nothing twice', async () => {
    assert.deepEqual(await gateway?.context.store.orphanedJournal(), []);
  });

  it('says usage is missing on the interrupted llm.call, as on every other llm.call', () => {
    assert.equal(events[0]?.usage?.source, 'missing');
    assert.equal(events[0]?.usage?.inputTokens, null);
  });
});

/** Reads the `{"url": ...}` line the gateway process prints once it listens. */
async function gatewayUrl(child: ChildProcess): Promise<string> {
  assert.ok(child.stdout, 'the gateway process has no stdout');
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the gateway process exited with ${String(code)} before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      if (line.startsWith('{')) return (JSON.parse(line) as { url: string }).url;
    }
    throw new Error('the gateway process closed its output before listening');
  })();
  return Promise.race([listening, exited]);
}

/** The key fingerprint the gateway stores, computed here from its definition. */
function fingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
