// Runs the command line from source, as `auditgate` would: `node --import tsx test/helpers/cli.ts ...`.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
