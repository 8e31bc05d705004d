import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetKeeper, type CallScope } from '../../src/cost/budgets.js';

const SCOPE: CallScope = {
  key: 'sha256:abc',
  team: 'geo',
  businessUnit: null,
  project: null,
  app: null,
  user: 'ada',
  agent: null,
  trace: 'trace-1',
};
const NOON = Date.parse('2026-12-03T12:00:00Z');

test('a reservation holds the worst case until the call settles to what it really cost', () => {
  const keeper = new BudgetKeeper(
    [{ name: 'geo', scope: 'team', match: 'geo', period: 'day', limitUsd: 1 }],
    () => NOON,
  );
  assert.equal(keeper.admit('a', SCOPE, { usd: 0.6, tokens: 100 }), null);
  // 0.6 held + 0.6 > 1.
  assert.equal(keeper.admit('b', SCOPE, { usd: 0.6, tokens: 100 })?.budget, 'geo');
  keeper.settle('a', SCOPE, { usd: 0.1, tokens: 50 });
  // 0.1 spent + 0.6 <= 1.
  assert.equal(keeper.admit('c', SCOPE, { usd: 0.6, tokens: 100 }), null);
  keeper.settle('c', SCOPE, { usd: 0.9, tokens: 50 });
  // 1.0 spent: nothing is left, so even a call whose worst case is unknown is refused.
  const refusal = keeper.admit('d', SCOPE, { usd: null, tokens: null });
  assert.deepEqual([refusal?.spentUsd, refusal?.limitUsd], [1, 1]);
  // Another team is not held back.
  assert.equal(keeper.admit('e', { ...SCOPE, team: 'lab' }, { usd: 0.9, tokens: 1 }), null);
});

test('a day budget starts again the next UTC day; an alert fires once a period', () => {
  let now = NOON;
  const keeper = new BudgetKeeper(
    [{ name: 'geo', scope: 'team', period: 'day', limitUsd: 1, alertAtUsd: 0.5 }],
    () => now,
  );
  assert.equal(keeper.admit('a', SCOPE, { usd: 0.7, tokens: 1 }), null);
  assert.equal(keeper.settle('a', SCOPE, { usd: 0.7, tokens: 1 }).length, 1);
  assert.equal(keeper.admit('b', SCOPE, { usd: 0.7, tokens: 1 })?.budget, 'geo');
  assert.equal(keeper.settle('b', SCOPE, { usd: 0, tokens: 0 }).length, 0);

  now = Date.parse('2026-12-04T00:00:01Z');
  assert.equal(keeper.admit('c', SCOPE, { usd: 0.7, tokens: 1 }), null);
  assert.equal(keeper.settle('c', SCOPE, { usd: 0.7, tokens: 1 })[0]?.period, '2026-12-04');
});

test('a stream moves its reservation into spend as it goes, so alerts are current', () => {
  const keeper = new BudgetKeeper(
    [{ name: 'geo', scope: 'team', period: 'day', limitUsd: 1, alertAtUsd: 0.3 }],
    () => NOON,
  );
  assert.equal(keeper.admit('a', SCOPE, { usd: 0.8, tokens: 1000 }), null);
  assert.deepEqual(keeper.progress('a', { usd: 0.2, tokens: 200 }), { stop: null, alerts: [] });
  // 0.4 produced so far passes the 0.3 alert before the stream ends.
  const { alerts } = keeper.progress('a', { usd: 0.4, tokens: 400 });
  assert.deepEqual(
    alerts.map((alert) => [alert.spentUsd, alert.eventId]),
    [[0.4, 'a']],
  );
  // A running cost never goes back, and the whole worst case stays held: 0.4 spent + 0.4 held.
  keeper.progress('a', { usd: 0.1, tokens: 100 });
  assert.equal(keeper.admit('b', SCOPE, { usd: 0.3, tokens: 1 })?.spentUsd, 0.8);
  // Settled to its real cost, what streaming counted is replaced: 0.5 spent, 0.5 left.
  keeper.settle('a', SCOPE, { usd: 0.5, tokens: 500 });
  assert.equal(keeper.admit('c', SCOPE, { usd: 0.5, tokens: 1 }), null);
  assert.equal(keeper.admit('d', SCOPE, { usd: 0.01, tokens: 1 })?.budget, 'geo');
});

test('a stream with no bound is stopped once it passes a token ceiling, and stays counted', () => {
  const keeper = new BudgetKeeper(
    [{ name: 'run', scope: 'trace', period: 'total', limitTokens: 100 }],
    () => NOON,
  );
  assert.equal(keeper.admit('x', SCOPE, { usd: null, tokens: null }), null);
  assert.equal(keeper.progress('x', { usd: null, tokens: 60 }).stop, null);
  const { stop } = keeper.progress('x', { usd: null, tokens: 120 });
  assert.deepEqual([stop?.budget, stop?.limit, stop?.spentTokens], ['run', 'tokens', 120]);
  assert.equal(keeper.takeRefusal('x')?.budget, 'run');
  // The cut stream reported no usage: what was counted while it streamed stands.
  keeper.settle('x', SCOPE, { usd: null, tokens: 0 }, false);
  assert.equal(keeper.admit('y', SCOPE, { usd: null, tokens: null })?.spentTokens, 120);
});
