import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteModel, routedPath } from '../../src/gateway/routes.js';

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
});
