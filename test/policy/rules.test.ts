import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateBefore,
  requestedMaxTokens,
  type CallFacts,
  type PolicyRule,
} from '../../src/policy/rules.js';

const CALL: CallFacts = {
  teamId: 'team-a',
  appId: 'app-a',
  agentId: null,
  provider: 'openai',
  model: 'gpt-4o',
  parameters: { max_completion_tokens: 512 },
};

describe('policy rules before the call', () => {
  it('read the output-token limit under each API name', () => {
    assert.equal(requestedMaxTokens({ max_tokens: 64 }), 64);
    assert.equal(requestedMaxTokens({ max_completion_tokens: 128 }), 128);
    assert.equal(requestedMaxTokens({ max_output_tokens: 256 }), 256);
    assert.equal(requestedMaxTokens({ generationConfig: { maxOutputTokens: 32 } }), 32);
    assert.equal(requestedMaxTokens({ temperature: 0 }), null);
    assert.equal(requestedMaxTokens(null), null);
  });

  it('fire within their scope only, in the order written, each with its finding', () => {
    const rules: PolicyRule[] = [
      { id: 'cap', action: 'flag', severity: 'low', maxTokens: 256 },
      {
        id: 'models-b',
        scope: { teams: ['team-b'] },
        action: 'block',
        severity: 'high',
        allowModels: ['gpt-4.1-nano'],
      },
      {
        id: 'models-a',
        scope: { teams: ['team-a'], providers: ['openai'] },
        action: 'block',
        severity: 'high',
        allowModels: ['gpt-4.1-nano'],
      },
    ];
    assert.deepEqual(evaluateBefore(rules, 'v1', CALL), [
      {
        ruleId: 'cap',
        policyVersion: 'v1',
        category: 'max_tokens',
        action: 'flag',
        severity: 'low',
        findings: [{ type: 'max_tokens_over', count: 1 }],
      },
      {
        ruleId: 'models-a',
        policyVersion: 'v1',
        category: 'model_allowlist',
        action: 'block',
        severity: 'high',
        findings: [{ type: 'model_not_allowed', count: 1 }],
      },
    ]);
  });

  it('treat a call that sets no limit as over a cap, and one within it as fine', () => {
    const cap: PolicyRule[] = [{ id: 'cap', action: 'block', severity: 'medium', maxTokens: 512 }];
    assert.deepEqual(evaluateBefore(cap, 'v1', CALL), []);
    const unset = evaluateBefore(cap, 'v1', { ...CALL, parameters: {} });
    assert.deepEqual(unset[0]?.findings, [{ type: 'max_tokens_unset', count: 1 }]);
  });
});
