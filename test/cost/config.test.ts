import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { writeConfig } from '../helpers/upstream.js';

test('the prices and budgets of auditgate.example.yaml, uncommented, are valid', () => {
  const file = writeConfig({
    prices: {
      import: [],
      models: {
        'gpt-4o': {
          provider: 'openai',
          input: 2.5,
          cacheRead: 1.25,
          cacheWrite: 2.5,
          cacheWrite1h: 5,
          output: 10,
          reasoning: 10,
          longContext: { aboveInputTokens: 200000, input: 5, output: 15 },
          batchDiscount: 0.5,
          perRequestUsd: 0,
          maxOutputTokens: 16384,
          effectiveFrom: '2024-08-06',
          source: 'https://developers.openai.com/api/docs/pricing',
        },
      },
    },
    budgets: [
      {
        name: 'radiology-daily',
        scope: 'team',
        match: 'radiology',
        period: 'day',
        limitUsd: 50,
        limitTokens: 5000000,
        alertAtUsd: 40,
        webhook: {
          url: 'https://hooks.example.com/auditgate',
          secretEnv: 'AUDITGATE_WEBHOOK_SECRET',
        },
      },
      { name: 'agent-run', scope: 'trace', period: 'total', limitTokens: 200000 },
    ],
  });
  try {
    const config = loadConfig({ file: file.path, environment: {} });
    assert.equal(config.prices.models['gpt-4o']?.input, 2.5);
    assert.deepEqual(
      config.budgets.map((budget) => budget.name),
      ['radiology-daily', 'agent-run'],
    );
  } finally {
    file.remove();
  }
});

test('a budget with no limit, an unknown scope or a repeated name stops start-up, named', () => {
  const cases: [unknown[], RegExp][] = [
    [
      [{ name: 'a', scope: 'team' }],
      /budgets\.0\.limitUsd: a budget needs a dollar limit, a token limit or an alert threshold/,
    ],
    [[{ name: 'b', scope: 'colour', limitUsd: 1 }], /budgets\.0\.scope: .*got "colour"/],
    [
      [
        { name: 'c', scope: 'team', limitUsd: 1 },
        { name: 'c', scope: 'user', limitUsd: 2 },
      ],
      /budgets: budget names must be unique/,
    ],
  ];
  for (const [budgets, message] of cases) {
    const file = writeConfig({ budgets });
    try {
      assert.throws(
        () => loadConfig({ file: file.path, environment: {} }),
        (error: Error & { problems: string[] }) => {
          assert.match(error.problems.join('\n'), message);
          return true;
        },
      );
    } finally {
      file.remove();
    }
  }
});
