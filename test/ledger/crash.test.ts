import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/run-cli.js';
import {
  delay,
  providersAt,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const WORKERS = 4;
const CALLS_BEFORE_KILL = 24;

/** One OpenAI chat stream chunk carrying `text`. */
function chunk(text: string, finish: string | null = null): string {
  const body = {
    id: 'chatcmpl-crash',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content: text }, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

describe('a gateway killed with SIGKILL under steady streaming traffic', () => {
  const script = fileURLToPath(new URL('../helpers/gateway-process.ts', import.meta.url));
  const dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-crash-ledger-'));
  let upstream: TestUpstream;
  let config: ConfigFile;
  let child: ChildProcess | null = null;
  let gateway: TestGateway | null = null;
  let tracesSent: string[] = [];
  let verifiedWhileDown: { status: number | null; output: string } | null = null;

  before(async () => {
    // Each answer streams ten chunks 15 ms apart, so calls are in flight when the kill lands.
    upstream = await startUpstream(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 10; index += 1) {
        response.write(chunk(`word${index} `));
        await delay(15);
      }
      response.end(`${chunk('', 'stop')}data: [DONE]\n\n`);
    });
    config = writeConfig({
      providers: providersAt(upstream.url),
      ledger: { checkpointEvery: 5, checkpointIntervalMs: 0 },
    });
    child = spawn(process.execPath, ['--import', 'tsx', script, dataFolder, config.path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await gatewayUrl(child);

    let killed = false;
    const worker = async () => {
      while (!killed) {
        const traceId = randomBytes(16).toString('hex');
        try {
          const response = await fetch(`${url}/openai/v1/chat/completions`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: 'Bearer sk-test',
              traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
            },
            body: JSON.stringify({
              model: 'gpt-4o-mini',
              stream: true,
              messages: [{ role: 'user', content: 'Hi' }],
            }),
          });
          await response.text();
        } catch {
          return;
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);
    await upstream.received(CALLS_BEFORE_KILL);
    await delay(40);
    killed = true;
    child.kill('SIGKILL');
    await once(child, 'exit');
    child = null;
    await Promise.all(workers);

    // The killed gateway's folder as it was left: WAL not checkpointed, journal rows orphaned.
    verifiedWhileDown = await runCommand(['verify', '--data', dataFolder]);
    tracesSent = upstream.requests.map((request) => {
      const traceparent = String(request.headers.traceparent ?? '');
      return traceparent.split('-')[1] ?? '';
    });
    gateway = await startTestGateway({ dataFolder, configFile: config.path, simulate: false });
  });

  after(async () => {
    child?.kill('SIGKILL');
    await gateway?.stop();
    await upstream.close();
    config.remove();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('has one event, complete or interrupted, for every call the upstream received', async () => {
    assert.ok(tracesSent.length >= CALLS_BEFORE_KILL);
    assert.ok((gateway?.recovered ?? 0) >= 1, 'some calls were in flight at the kill');
    const outcomes = new Map<string, number>();
    for (const traceId of tracesSent) {
      const { body } = await gateway!.api(`/api/v1/events?trace=${traceId}`);
      const events = (body as { events: AuditEvent[] }).events;
      assert.equal(events.length, 1, `events for trace ${traceId}`);
      const [event] = events as [AuditEvent];
      assert.ok(['ok', 'interrupted'].includes(event.outcome.status), event.outcome.status);
      assert.equal(typeof event.ledger?.index, 'number', 'every event is a leaf, interrupted too');
      outcomes.set(event.outcome.status, (outcomes.get(event.outcome.status) ?? 0) + 1);
    }
    // A call journaled but not yet sent at the kill is recovered too, though no upstream saw it.
    const interrupted = outcomes.get('interrupted') ?? 0;
    assert.ok(
      interrupted >= 1 && interrupted <= (gateway?.recovered ?? 0),
      `${interrupted} interrupted`,
    );
  });

  it("verifies the killed gateway's folder as it was left, before any restart", () => {
    assert.equal(verifiedWhileDown?.status, 0, verifiedWhileDown?.output);
    assert.match(verifiedWhileDown?.output ?? '', /: ok\n/);
  });

  it('verifies after the restart', async () => {
    await gateway?.close();
    gateway = null;
    const { status, output } = await runCommand(['verify', '--data', dataFolder]);
    assert.equal(status, 0, output);
    assert.match(output, /: ok\n/);
  });
});

/** Reads the `{"url": ...}` line the gateway process prints once it listens. */
async function gatewayUrl(process: ChildProcess): Promise<string> {
  assert.ok(process.stdout, 'the gateway process has no stdout');
  const lines = createInterface({ input: process.stdout });
  for await (const line of lines) {
    if (line.startsWith('{')) return (JSON.parse(line) as { url: string }).url;
  }
  throw new Error('the gateway process closed its output before listening');
}
