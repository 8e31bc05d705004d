import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { toEventRecord } from '../../src/store/writer.js';
import { makeEvent } from '../helpers/events.js';

const COST = { breakdown: null, priceVersion: 'test', source: 'computed' as const };

/** An event at `time` for `team`, costing `amountUsd` (null: no price). */
function spent(time: string, team: string, amountUsd: number | null) {
  return toEventRecord(
    makeEvent({
      time,
      attribution: { teamId: team },
      cost: { ...COST, amountUsd, source: amountUsd === null ? 'unknown' : 'computed' },
    }),
  );
}

test('a range of whole days and edge hours adds up the same as hour by hour', async () => {
  const store = openSqliteStore(':memory:');
  await store.append([
    spent('2026-11-01T23:30:00.000Z', 'geo', 1), // before the range
    spent('2026-11-02T10:15:00.000Z', 'geo', 2), // edge hour (range starts 10:00)
    spent('2026-11-02T09:59:59.000Z', 'geo', 4), // just before the range
    spent('2026-11-03T00:00:00.000Z', 'geo', 8), // a whole day inside
    spent('2026-11-04T12:00:00.000Z', 'geo', 16), // a whole day inside
    spent('2026-11-04T12:00:00.000Z', 'lab', null), // no price
    spent('2026-11-05T05:59:00.000Z', 'geo', 32), // edge hour (range ends 06:00)
    spent('2026-11-05T06:00:00.000Z', 'geo', 64), // at the end: excluded
  ]);
  const range = { from: '2026-11-02T10:00:00Z', to: '2026-11-05T06:00:00Z' };

  const whole = await store.spend({ groupBy: ['team'], bucket: 'none', ...range });
  // 2 + 8 + 16 + 32 = 58 for geo; lab's call has no price and is counted apart.
  assert.deepEqual(
    whole.map((row) => [row.group.team, row.calls, row.unknownCostCalls, row.costUsd]),
    [
      ['geo', 4, 0, 58],
      ['lab', 1, 1, 0],
    ],
  );
  const hourly = await store.spend({ groupBy: ['team'], bucket: 'hour', ...range });
  const geoByHour = hourly.filter((row) => row.group.team === 'geo');
  assert.equal(
    geoByHour.reduce((sum, row) => sum + row.costUsd, 0),
    58,
  );
  const daily = await store.spend({ groupBy: [], bucket: 'day', ...range });
  assert.deepEqual(
    daily.map((row) => [row.bucket, row.costUsd, row.calls]),
    [
      ['2026-11-02', 2, 1],
      ['2026-11-03', 8, 1],
      ['2026-11-04', 16, 2],
      ['2026-11-05', 32, 1],
    ],
  );
  const filtered = await store.spend({ groupBy: [], bucket: 'none', where: { team: 'geo' } });
  assert.equal(filtered[0]?.costUsd, 1 + 2 + 4 + 8 + 16 + 32 + 64);
  await store.close();
});

test('an event appended twice is counted once', async () => {
  const store = openSqliteStore(':memory:');
  const record = spent('2026-11-02T10:15:00.000Z', 'geo', 2);
  await store.append([record]);
  await store.append([record]);
  const rows = await store.spend({ groupBy: [], bucket: 'none' });
  assert.deepEqual([rows[0]?.calls, rows[0]?.costUsd], [1, 2]);
  await store.close();
});
