import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConverseCommand, ServiceUnavailableException } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClient } from '../helpers/bedrock.js';
import { startTestGateway } from '../helpers/gateway.js';
import { startUpstream, writeConfig } from '../helpers/upstream.js';

// This file runs in a process of its own: the gateway's AWS credential chain finds nothing.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_')) delete process.env[name];
}
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
process.env.AWS_CONFIG_FILE = '/nonexistent/config';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

describe('a Bedrock provider without AWS credentials in the gateway', () => {
  it('answers 502 naming the signing failure, records it, and sends nothing upstream', async () => {
    const upstream = await startUpstream((_request, response) => {
      response.end('{}');
    });
    const config = writeConfig({
      providers: { bedrock: { type: 'bedrock', region: 'us-east-1', baseUrl: upstream.url } },
    });
    const gateway = await startTestGateway({ configFile: config.path, simulate: false });
    try {
      const bedrock = bedrockClient(`${gateway.url}/bedrock`);
      const error = await bedrock.client
        .send(
          new ConverseCommand({
            modelId: 'amazon.nova-lite-v1:0',
            messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
          }),
        )
        .catch((caught: unknown) => caught);
      assert.ok(error instanceof ServiceUnavailableException);
      const expected =
        'the gateway could not sign the request with its aws credentials (CredentialsProviderError)';
      assert.equal(error.message, expected);

      const event = await gateway.event(bedrock.lastEventId());
      assert.deepEqual(event.outcome, { status: 'upstream_error', error: expected });
      assert.equal(upstream.requests.length, 0);
    } finally {
      await gateway.stop();
      config.remove();
      await upstream.close();
    }
  });
});
