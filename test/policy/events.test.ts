import assert from 'node:assert/strict';
import { test } from 'node:test';
import { violationEvents } from '../../src/policy/events.js';
import { makeEvent } from '../helpers/events.js';

test('only rules of policies: write violation events, not cost flags or budget decisions', () => {
  const call = makeEvent({
    policy: [
      {
        ruleId: 'cost.price_unknown',
        policyVersion: null,
        category: 'cost',
        action: 'flag',
        severity: 'low',
        findings: [{ type: 'price_unknown', count: 1 }],
        model: 'gpt-5.2-codex',
      },
      {
        ruleId: 'budget.radiology-day',
        policyVersion: null,
        category: 'budget',
        action: 'block',
        severity: 'high',
        findings: [{ type: 'budget_exceeded', count: 1 }],
        budget: { name: 'radiology-day', scope: 'team', value: 'radiology' },
      },
      {
        ruleId: 'token-cap',
        policyVersion: '3f9a1c2b7e00',
        category: 'max_tokens',
        action: 'flag',
        severity: 'medium',
        findings: [{ type: 'max_tokens', count: 1 }],
      },
    ],
  });

  const events = violationEvents(call);

  assert.equal(events.length, 1);
  assert.equal(events[0]?.kind, 'policy.violation');
  assert.deepEqual(events[0]?.policy, [
    {
      ruleId: 'token-cap',
      policyVersion: '3f9a1c2b7e00',
      category: 'max_tokens',
      action: 'flag',
      severity: 'medium',
      findings: [{ type: 'max_tokens', count: 1 }],
      subjectEventId: call.id,
    },
  ]);
});
