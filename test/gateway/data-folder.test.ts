import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('takes over a lock whose holder was killed but not yet reaped (a zombie)', async (t) => {
    // The background sleep's parent becomes `sleep 60` (exec), which never reaps it.
    const shell = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 60'], { stdio: 'pipe' });
    t.after(() => shell.kill('SIGKILL'));
    const zombie = Number((await once(shell.stdout, 'data'))[0].toString());
    if (!existsSync(`/proc/${zombie}/stat`)) return t.skip('no /proc');
    // Killed before the shell has become `sleep 60`, the child would be reaped by the shell.
    while (readFileSync(`/proc/${shell.pid}/comm`, 'utf8').trim() !== 'sleep') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    process.kill(zombie, 'SIGKILL');
    while (!readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    writeFileSync(join(folder, 'gateway.lock'), `${zombie}\n`);
    const gateway = await startTestGateway({ dataFolder: folder });
    await gateway.close();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(folder, 'gateway.lock'), `${gone.stdout.toString()}\n`);
    const gateway = await startTestGateway({ dataFolder: folder });
    await gateway.close();
  });
});
