/**
 * The gateway under test, run as its own process: one `openai` provider pointed at the mock
 * upstream whose URL is the first argument, a temporary data folder, and a silent logger.
 * Set BENCH_KEEP_DATA=1 to keep the data folder (its path is printed) for inspection. A second
 * argument `ledger-off` turns the ledger off, to measure what it costs. BENCH_BUDGETS=1 adds a
 * budget every call falls under (per key, far from its limit), so that each call is admitted and
 * each stream metered as it goes, to measure what budgets cost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { startGateway } from '../src/gateway/start.js';
import { serveCommands } from './child.js';

const upstreamUrl = process.argv[2];
if (!upstreamUrl) throw new Error('expected the mock upstream URL as the first argument');

const dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-bench-'));
const configFile = join(dataFolder, 'auditgate.yaml');
writeFileSync(
  configFile,
  stringify({
    providers: { openai: { type: 'openai', baseUrl: upstreamUrl } },
    ...(process.argv[3] === 'ledger-off' ? { ledger: { enabled: false } } : {}),
    ...(process.env.BENCH_BUDGETS === '1'
      ? { budgets: [{ name: 'bench', scope: 'key', period: 'day', limitUsd: 1e9 }] }
      : {}),
  }),
);

const gateway = await startGateway({
  port: 0,
  dataFolder,
  configFile,
  environment: {},
  logger: pino({ level: 'silent' }),
});

serveCommands(
  { ready: true, url: gateway.url, databasePath: join(dataFolder, 'auditgate.db') },
  {
    async flush() {
      const start = performance.now();
      await gateway.flush();
      return performance.now() - start;
    },
    async close() {
      await gateway.close();
      if (process.env.BENCH_KEEP_DATA === '1') console.log(`gateway data kept in ${dataFolder}`);
      else rmSync(dataFolder, { recursive: true, force: true });
    },
  },
);
