/**
 * Runs a gateway in its own process, so a test can kill it mid-call:
 * `node --import tsx test/helpers/gateway-process.ts DATA_FOLDER CONFIG_FILE`.
 * Prints one JSON line, `{"url": "http://127.0.0.1:PORT"}`, once the gateway listens.
 */
import { pino } from 'pino';

import { startGateway } from '../../src/gateway/start.js';

const [dataFolder, configFile] = process.argv.slice(2);
if (!dataFolder || !configFile) {
  process.stderr.write('usage: gateway-process.ts DATA_FOLDER CONFIG_FILE\n');
  process.exit(2);
}

const gateway = await startGateway({
  port: 0,
  dataFolder,
  configFile,
  environment: {},
  logger: pino({ level: 'silent' }),
});
process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
