import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createCheckpointPublisher } from '../../src/exporters/checkpoints.js';
import type { StoredCheckpoint } from '../../src/ledger/types.js';
import { startUpstream } from '../helpers/upstream.js';

const CHECKPOINT: StoredCheckpoint = {
  logId: 'gw-1',
  treeSize: 7,
  rootHash: 'ab'.repeat(32),
  note: 'auditgate/gw-1\n7\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n\n\u2014 auditgate/gw-1 AAAA\n',
  time: '2026-12-03T12:00:00.000Z',
};

describe('checkpoint webhooks', () => {
  it('retry with backoff until the receiver accepts, signing every attempt the same', async () => {
    let answered = 0;
    const receiver = await startUpstream((_request, response) => {
      answered += 1;
      response.writeHead(answered <= 2 ? 503 : 200).end();
    });
    const publisher = createCheckpointPublisher(
      [{ type: 'webhook', url: `${receiver.url}/hook`, secretEnv: 'HOOK_SECRET' }],
      {
        logger: pino({ level: 'silent' }),
        environment: { HOOK_SECRET: 'secret-from-the-environment' },
        retryDelayMs: 10,
      },
    );
    publisher.publish(CHECKPOINT);
    const third = await receiver.received(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(publisher.backlog, 0);
    assert.equal(receiver.requests.length, 3);

    const body = JSON.stringify({ type: 'ledger.checkpoint', checkpoint: CHECKPOINT });
    const signature = `sha256=${createHmac('sha256', 'secret-from-the-environment').update(body).digest('hex')}`;
    for (const request of receiver.requests) {
      assert.equal(request.body, body);
      assert.equal(request.headers['x-auditgate-signature'], signature);
    }
    assert.equal(third.url, '/hook');
    await publisher.close();
    await receiver.close();
  });
});
