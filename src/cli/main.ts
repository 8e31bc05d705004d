import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { startGateway, type Gateway } from '../gateway/start.js';
import { addApiOptions } from './api-client.js';
import { runDemo } from './demo.js';
import { listEvents } from './events.js';
import { showSpend } from './spend.js';
import { UnknownRegionError } from '../privacy/scan.js';
import { addPrivacyCommands, ScanInputError } from './privacy.js';
import { addLedgerCommands } from './ledger.js';
import { registerKeyCommands } from './keys.js';
import { registerTokenCommands } from './tokens.js';

/** Runs the command line; resolves to the process exit status. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return exitStatusFor(error);
  }
}

function buildProgram(): Command {
  const program = new Command('auditgate')
    .description('an audit-logging gateway for LLM and agent traffic')
    .exitOverride()
    .showHelpAfterError();

  addServeOptions(program.command('start').description('start the gateway'))
    .option('--simulate', 'answer every provider route from the built-in simulator')
    .action(async (options: ServeOptions) => {
      await serveUntilSignal(await startAndAnnounce(options));
    });

  addServeOptions(program.command('demo'))
    .description('start with the simulator and send sample calls through it')
    .action(async (options: ServeOptions) => {
      const gateway = await startAndAnnounce({ ...options, simulate: true });
      await runDemo(gateway);
      await serveUntilSignal(gateway);
    });

  addApiOptions(program.command('events'))
    .description('list recorded events, newest first, from a running gateway')
    .option('--limit <n>', 'how many', parsePositiveInteger, 20)
    .option('--json', 'one JSON event per line')
    .option('--id <id>', 'one event, whole, as JSON')
    .action(listEvents);

  addApiOptions(program.command('spend'))
    .description('spend by attribution and model, from a running gateway')
    .option(
      '--group-by <names>',
      'key, team, businessUnit, project, app, agent, user, provider, model',
      'model',
    )
    .option('--since <time>', 'ISO 8601 or relative (24h, 7d)', '24h')
    .option('--until <time>', 'ISO 8601 or relative; default now')
    .option('--bucket <bucket>', 'hour, day, month or none', 'none')
    .option('--json', 'the API answer as JSON')
    .action(showSpend);
  addPrivacyCommands(program);

  addLedgerCommands(program);
  registerKeyCommands(program);
  registerTokenCommands(program);
  return program;
}

type ServeOptions = {
  port: number;
  host: string;
  data: string;
  config?: string;
  simulate?: boolean;
};

function addServeOptions(command: Command): Command {
  return command
    .option('--port <port>', 'port to listen on', parsePort, 4000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder (store, admin token, instance id)', './data')
    .option('--config <file>', 'YAML configuration file');
}

async function startAndAnnounce(options: ServeOptions): Promise<Gateway> {
  const gateway = await startGateway({
    port: options.port,
    host: options.host,
    dataFolder: options.data,
    configFile: options.config,
    simulate: options.simulate ?? false,
  });
  console.log(`\nauditgate is listening on ${gateway.url}`);
  if (gateway.simulatorUrl) console.log('every provider route answers from the simulator');
  console.log(`data folder: ${gateway.dataFolder}`);
  if (gateway.adminTokenCreated) {
    console.log(`\nadmin token (shown once; kept in ${gateway.dataFolder}/admin-token):`);
    console.log(`  ${gateway.adminToken}\n`);
  }
  return gateway;
}

async function serveUntilSignal(gateway: Gateway): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await gateway.close();
}

function exitStatusFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (
    error instanceof ConfigError ||
    error instanceof ScanInputError ||
    error instanceof UnknownRegionError
  ) {
    console.error(error.message);
    return 2;
  }
  console.error(`auditgate: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got '${value}'`);
  }
  return port;
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`expected a positive whole number, got '${value}'`);
  }
  return number;
}
