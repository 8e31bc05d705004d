import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteModel, routedPath, targetRequest } from '../../src/gateway/routes.js';
import { NO_RETRY, type Provider } from '../../src/gateway/routing.js';
import type { ProviderType } from '../../src/event/types.js';

function provider(name: string, type: ProviderType): Provider {
  const origin = 'http://127.0.0.1:1';
  const fixed = { pathPrefix: '', apiKey: null, injectStreamUsage: false, simulated: false };
  return { name, type, origin, ...fixed, apiVersion: null, signer: null, retry: NO_RETRY };
}

describe('a route target’s body and path', () => {
  it('rewrites only the model value, the last of repeated keys, leaving every other byte', () => {
    const body = Buffer.from('{ "model" : "a", "messages": [], "model":"chat-default" , "n": 1}');
    const rewritten = rewriteModel(body, 'gpt-4o', 'route chat-default, target 1 (openai)');
    assert.equal(
      rewritten?.body.toString(),
      '{ "model" : "a", "messages": [], "model":"gpt-4o" , "n": 1}',
    );
    assert.deepEqual(rewritten?.rewrite, {
      path: 'model',
      reason: 'route chat-default, target 1 (openai)',
      from: 'chat-default',
      to: 'gpt-4o',
    });
    assert.equal(rewriteModel(Buffer.from('{"messages":[]}'), 'x', 'r'), null);
  });

  it('writes a model name with quotes as a JSON string', () => {
    const rewritten = rewriteModel(Buffer.from('{"model":"m"}'), 'say "hi"', 'r');
    assert.equal(rewritten?.body.toString(), '{"model":"say \\"hi\\""}');
  });

  it('moves an OpenAI path between its own form and Azure’s v1 form', () => {
    assert.equal(
      routedPath('/v1/chat/completions', 'openai', 'azure'),
      '/openai/v1/chat/completions',
    );
    assert.equal(
      routedPath('/openai/v1/responses?api-version=preview', 'azure', 'openai-compatible'),
      '/v1/responses',
    );
    assert.equal(
      routedPath('/openai/v1/responses?api-version=preview', 'azure', 'azure'),
      '/openai/v1/responses?api-version=preview',
    );
    assert.equal(routedPath('/openai/deployments/d/chat/completions', 'azure', 'openai'), null);
    assert.equal(routedPath('/v1/messages', 'anthropic', 'anthropic'), '/v1/messages');
  });

  it('drops a Gemini caller’s query key for another provider and keeps the rest of the query', () => {
    const gemini = provider('gemini', 'gemini');
    const backup = provider('backup', 'gemini');
    const source = {
      provider: gemini,
      path: '/v1beta/models/flash:streamGenerateContent?alt=sse&key=caller-key',
      body: Buffer.from('{"contents":[]}'),
    };
    const own = targetRequest(source, { provider: gemini, model: 'gemini-2.5-flash' }, 'r');
    assert.equal(
      own?.path,
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=caller-key',
    );
    const other = targetRequest(source, { provider: backup, model: 'models/x' }, 'r');
    assert.equal(other?.path, '/v1beta/models/models%2Fx:streamGenerateContent?alt=sse');
    assert.equal(other?.body, source.body);
  });

  it('sends an Azure deployment call to an OpenAI-style target with the model in the body', () => {
    const source = {
      provider: provider('azure', 'azure'),
      path: '/openai/deployments/chat-default/chat/completions?api-version=2024-10-21',
      body: Buffer.from('{ "messages": [] }'),
    };
    const sent = targetRequest(
      source,
      { provider: provider('local', 'openai-compatible'), model: 'llama' },
      'r',
    );
    assert.equal(sent?.path, '/v1/chat/completions');
    assert.equal(sent?.body.toString(), '{"model":"llama", "messages": [] }');
    assert.deepEqual(sent?.rewrites, [{ path: 'model', reason: 'r', from: null, to: 'llama' }]);
    assert.equal(
      targetRequest(
        { ...source, path: '/openai/deployments/d/images/generations' },
        { provider: provider('b', 'azure'), model: 'm' },
        'r',
      ),
      null,
    );
  });
});
