import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { parseCheckpointBody } from '../../src/ledger/checkpoint.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.js';
import type { ConsistencyProof, EventProof, StoredCheckpoint } from '../../src/ledger/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/run-cli.js';
import {
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

const WEBHOOK_SECRET = 'a-webhook-secret-of-some-length';

function rootOf(checkpoint: StoredCheckpoint): Buffer {
  const body = parseCheckpointBody(checkpoint.note.slice(0, checkpoint.note.indexOf('\n\n') + 1));
  assert.ok(body, 'the note has a checkpoint body');
  return body.rootHash;
}

describe('the ledger API and evidence bundles', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-ledger-api-'));
  const checkpointFile = join(folder, 'checkpoints.txt');
  let gateway: TestGateway;
  let webhook: TestUpstream;
  let config: ConfigFile;
  let client: OpenAI;
  const ids: string[] = [];

  async function chat(user: string): Promise<string> {
    const { response } = await client.chat.completions
      .create(
        { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-auditgate-user': user } },
      )
      .withResponse();
    const id = response.headers.get('x-auditgate-event-id') ?? '';
    ids.push(id);
    return id;
  }

  before(async () => {
    webhook = await startUpstream((_request, response) => {
      response.end('ok');
    });
    config = writeConfig({
      ledger: {
        checkpointEvery: 1000,
        checkpointIntervalMs: 0,
        publish: [
          { type: 'file', path: checkpointFile },
          { type: 'webhook', url: `${webhook.url}/checkpoints`, secret: WEBHOOK_SECRET },
        ],
      },
    });
    gateway = await startTestGateway({ configFile: config.path, dataFolder: join(folder, 'data') });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test' });
    for (const user of ['alice', 'bob', 'carol']) await chat(user);
    await gateway.flush();
  });
  after(async () => {
    await gateway.stop();
    await webhook.close();
    config.remove();
    rmSync(folder, { recursive: true, force: true });
  });

  it('fills each event with its place in the log', async () => {
    const event = await gateway.event(ids[1]!);
    assert.equal(event.ledger?.logId, gateway.instanceId);
    assert.equal(event.ledger?.index, 1);
    assert.match(event.ledger?.leafHash ?? '', /^[0-9a-f]{64}$/);
  });

  it('proves an event against a checkpoint signed for it, and publishes that checkpoint', async () => {
    const answer = await gateway.api(`/api/v1/events/${ids[2]}/proof`);
    assert.equal(answer.status, 200);
    const proof = answer.body as EventProof;
    assert.equal(proof.index, 2);
    assert.equal(proof.treeSize, 3);
    assert.ok(proof.checkpoint.note.startsWith(`auditgate/${gateway.instanceId}\n3\n`));
    const hashes = proof.proof.map((hex) => Buffer.from(hex, 'hex'));
    const leafHash = Buffer.from(proof.leafHash, 'hex');
    assert.ok(verifyInclusion(2, 3, leafHash, hashes, rootOf(proof.checkpoint)));

    const listed = (await gateway.api('/api/v1/ledger/checkpoints')).body as {
      checkpoints: StoredCheckpoint[];
    };
    assert.deepEqual(
      listed.checkpoints.map((checkpoint) => checkpoint.treeSize),
      [3],
    );

    const delivery = await webhook.received(1);
    assert.equal(delivery.url, '/checkpoints');
    const expected = createHmac('sha256', WEBHOOK_SECRET).update(delivery.body).digest('hex');
    assert.equal(delivery.headers['x-auditgate-signature'], `sha256=${expected}`);
    assert.equal(
      (JSON.parse(delivery.body) as { checkpoint: StoredCheckpoint }).checkpoint.note,
      proof.checkpoint.note,
    );
    assert.equal(readFileSync(checkpointFile, 'utf8'), `${proof.checkpoint.note}\n`);
  });

  it('proves the later tree consistent with the earlier one', async () => {
    await chat('dave');
    await chat('erin');
    await gateway.flush();
    const proof = (await gateway.api(`/api/v1/events/${ids[4]}/proof`)).body as EventProof;
    assert.equal(proof.treeSize, 5);

    const answer = await gateway.api('/api/v1/ledger/consistency?from=3&to=5');
    assert.equal(answer.status, 200);
    const consistency = answer.body as ConsistencyProof;
    assert.ok(consistency.fromCheckpoint && consistency.toCheckpoint);
    const hashes = consistency.proof.map((hex) => Buffer.from(hex, 'hex'));
    const [oldRoot, newRoot] = [
      rootOf(consistency.fromCheckpoint),
      rootOf(consistency.toCheckpoint),
    ];
    assert.ok(verifyConsistency(3, 5, oldRoot, newRoot, hashes));

    const bad = await gateway.api('/api/v1/ledger/consistency?from=6&to=5');
    assert.equal(bad.status, 400);
  });

  it('reports pending and failed events and the ledger in health', async () => {
    const health = (await gateway.api('/api/v1/health')).body as Record<string, unknown>;
    assert.deepEqual(health.events, { pending: 0, failed: 0, inFlight: 0 });
    const ledger = health.ledger as { treeSize: number; lastCheckpoint: { treeSize: number } };
    assert.equal(ledger.treeSize, 5);
    assert.equal(ledger.lastCheckpoint.treeSize, 5);
  });

  it('exports a bundle that verifies in a fresh folder with only the CLI, and fails once edited', async () => {
    const bundleFile = join(folder, 'bundle.json');
    const exported = await runCommand([
      'ledger',
      'bundle',
      '--from',
      '1h',
      '--to',
      'now',
      '--out',
      bundleFile,
      '--url',
      gateway.url,
      '--token',
      gateway.adminToken,
    ]);
    assert.equal(exported.status, 0, exported.output);
    assert.match(exported.output, /wrote 5 events to/);
    assert.match(exported.output, /left out: no events \(every event of the range is proven\)/);

    const fresh = mkdtempSync(join(tmpdir(), 'auditgate-fresh-'));
    const copy = join(fresh, 'bundle.json');
    writeFileSync(copy, readFileSync(bundleFile));
    const verified = await runCommand(['verify', '--bundle', copy]);
    assert.equal(verified.status, 0, verified.output);
    assert.match(
      verified.output,
      new RegExp(
        `log ${gateway.instanceId} \\(auditgate/${gateway.instanceId}\\), key id [0-9a-f]{8}: 5 events proven against the checkpoint at size 5`,
      ),
    );
    assert.match(verified.output, /5 content records match their commitments/);

    const edited = readFileSync(copy, 'utf8').replace('"userId": "carol"', '"userId": "mallory"');
    assert.notEqual(edited, readFileSync(copy, 'utf8'));
    writeFileSync(copy, edited);
    const failed = await runCommand(['verify', '--bundle', copy]);
    assert.equal(failed.status, 1, failed.output);
    assert.ok(
      failed.output.includes(`changed: event ${ids[2]} no longer matches its leaf hash`),
      failed.output,
    );
    rmSync(fresh, { recursive: true, force: true });
  });
});
