import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Posts with node:http, which sends a header given as a list as separate header lines. */
function post(url: string, headers: Record<string, string | string[]>): Promise<string | null> {
  const body = JSON.stringify({
    model: 'gpt-4.1-nano',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve(String(response.headers['x-auditgate-event-id'] ?? '') || null),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('attribution', () => {
  let gateway: TestGateway;

  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway.stop());

  it('keeps every tag of every x-auditgate-tags header, however long', async () => {
    // 60 tags of 20 characters each: 1,260 characters, past the 1,024 kept of other headers.
    const many = Array.from(
      { length: 60 },
      (_, index) => `tag${String(index).padStart(2, '0')}=value-${'x'.repeat(8)}`,
    );
    const eventId = await post(`${gateway.url}/v1/chat/completions`, {
      authorization: 'Bearer sk-attribution-test',
      'x-auditgate-tags': ['env=prod;cost-center=cc-12', many.join(';')],
      'x-auditgate-team': 'team-radiology',
      'x-auditgate-business-unit': 'bu-clinical',
      'x-auditgate-project': 'triage',
      'x-auditgate-app': 'portal',
      'x-auditgate-agent': 'summariser',
      'x-auditgate-user': 'dr-ada',
      'x-auditgate-simulate': 'openai-text',
    });
    const event = await gateway.event(eventId);

    assert.equal(Object.keys(event.attribution.tags).length, 62);
    assert.equal(event.attribution.tags.env, 'prod');
    assert.equal(event.attribution.tags['cost-center'], 'cc-12');
    assert.equal(event.attribution.tags.tag59, 'value-xxxxxxxx');
    assert.deepEqual(
      [
        event.attribution.teamId,
        event.attribution.businessUnit,
        event.attribution.project,
        event.attribution.appId,
        event.attribution.agentId,
        event.attribution.userId,
      ],
      ['team-radiology', 'bu-clinical', 'triage', 'portal', 'summariser', 'dr-ada'],
    );
    // The key is attributable by its fingerprint (never the key itself).
    assert.match(event.identity.keyFingerprint ?? '', /^sha256:[0-9a-f]{12}$/);
    assert.doesNotMatch(JSON.stringify(event), /sk-attribution-test/);
  });
});
