import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestGateway } from '../helpers/gateway.js';

describe('the data folder', () => {
  const folder = mkdtempSync(join(tmpdir(), 'auditgate-lock-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("serves one gateway at a time, so a second start cannot recover the first one's calls", async () => {
    const first = await startTestGateway({ dataFolder: folder });
    await assert.rejects(startTestGateway({ dataFolder: folder }), (error: Error) => {
      assert.equal((error as Error & { code?: string }).code, 'data_folder_in_use');
      assert.match(error.message, new RegExp(`process ${process.pid}`));
      return true;
    });
    // The refused start changed nothing: the first gateway still records and serves.
    const response = await fetch(`${first.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const event = await first.event(response.headers.get('x-auditgate-event-id'));
    assert.equal(event.outcome.status, 'ok');
    await first.close();

    const second = await startTestGateway({ dataFolder: folder });
    assert.equal(second.recovered, 0);
    await second.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(folder, 'gateway.lock'), `${gone.stdout.toString()}\n`);
    const gateway = await startTestGateway({ dataFolder: folder });
    await gateway.close();
  });
});
