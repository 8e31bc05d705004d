import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  adminToken,
  ensureDataFolder,
  instanceId,
  lockDataFolder,
  pseudonymKey,
} from '../config/data-folder.js';
import { ConfigError } from '../config/errors.js';
import { ignoredEnvironment, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createBudgets } from '../cost/budget-service.js';
import { createPricing, PriceImportError, type Pricing } from '../cost/pricing.js';
import { createLogger } from '../logger.js';
import { startSimulator, type SimulatorOptions } from '../simulator/index.js';
import { recoverInterrupted } from '../store/recover.js';
import { openSqliteWorkerStore } from '../store/sqlite/worker-store.js';
import type { Store } from '../store/types.js';
import { EventWriter } from '../store/writer.js';
import { prepareDetectors } from '../privacy/scan.js';
import { protectionSettings } from '../privacy/settings.js';
import { createCheckpointPublisher, type CheckpointPublisher } from '../exporters/checkpoints.js';
import { KeyRegistry } from '../identity/key-registry.js';
import { ledgerKey } from '../ledger/key.js';
import { policyVersion } from '../policy/rules.js';
import type { LedgerSetup } from '../store/sqlite/ledger.js';
import { jwtVerifierFor, requireKeyByDefault } from './authenticate.js';
import type { GatewayContext } from './context.js';
import { watchPolicies } from './policy.js';
import { resolveRoutes } from './routes.js';
import { resolveProviders } from './routing.js';
import { createServer } from './server.js';
import { createUpstreamAgent } from './upstream.js';

export type StartOptions = {
  port?: number;
  host?: string;
  dataFolder?: string;
  configFile?: string;
  /** Point every provider at the built-in simulator; its pace can be set for tests. */
  simulate?: boolean | SimulatorOptions;
  environment?: NodeJS.ProcessEnv;
  logger?: Logger;
};

/** A running gateway. */
export type Gateway = {
  url: string;
  adminToken: string;
  /** Whether this start generated the admin token (it is printed once, then). */
  adminTokenCreated: boolean;
  instanceId: string;
  dataFolder: string;
  simulatorUrl: string | null;
  config: Config;
  context: GatewayContext;
  /** Recovered journal rows turned into `interrupted` events at start-up. */
  recovered: number;
  /** Waits until every event recorded so far is in the store. */
  flush(): Promise<void>;
  close(): Promise<void>;
};

/** Loads the configuration, opens the store, recovers interrupted calls and starts serving. */
export async function startGateway(options: StartOptions = {}): Promise<Gateway> {
  const environment = options.environment ?? process.env;
  const config = loadConfig({ file: options.configFile, environment });
  config.auth.requireKey ??= requireKeyByDefault(options.host ?? '127.0.0.1');
  const jwt = jwtVerifierFor(config);
  const logger = options.logger ?? createLogger();
  const ignored = ignoredEnvironment(environment);
  if (ignored.length > 0) {
    logger.warn({ variables: ignored }, 'AUDITGATE_ variables that name no configuration key');
  }

  const pricing = loadPricing(config);
  const dataFolder = resolve(options.dataFolder ?? './data');
  ensureDataFolder(dataFolder);
  const unlock = lockDataFolder(dataFolder);
  // What opened so far, closed in reverse if a later step fails (a port in use, say).
  const opened: (() => Promise<void>)[] = [async () => unlock()];
  const token = adminToken(dataFolder, config.adminToken);
  const instance = instanceId(dataFolder, config.instanceId);
  if (token.created) opened.push(async () => rmSync(join(dataFolder, 'admin-token')));
  try {
    const publisher = createCheckpointPublisher(config.ledger.publish, { logger, environment });
    opened.push(() => publisher.close());
    const ledger = ledgerSetup(config, dataFolder, instance.value);
    const store = await openStore(config, dataFolder, ledger, publisher, logger);
    opened.push(() => store.close());
    prepareDetectors();
    const privacy = protectionSettings(config, pseudonymKey(dataFolder), token.value);
    const writer = new EventWriter(store, {
      onError: (error) => logger.error({ err: error }, 'event batch not written yet; retrying'),
      privacy,
    });
    opened.push(() => writer.close());
    // Priced like any call: having no usage, a recovered call's cost is unknown, and counted so.
    const recovered = await recoverInterrupted(store, pricedAppends(store, pricing));
    await writer.flush();

    const simulator = options.simulate
      ? await startSimulator(options.simulate === true ? {} : options.simulate)
      : null;
    if (simulator) opened.push(() => simulator.close());
    const upstream = createUpstreamAgent(config.limits.upstreamTimeoutMs);
    opened.push(() => upstream.close());
    const providers = resolveProviders(config, environment, simulator?.url ?? null);
    const budgets = createBudgets({
      budgets: config.budgets,
      prices: pricing.prices,
      store,
      record: (event) => writer.record(event),
      environment,
      onWebhookFailure: (budget, result) =>
        logger.warn(
          { budget, attempts: result.attempts, error: result.error },
          'budget webhook failed',
        ),
    });
    await budgets.restore();
    const routes = resolveRoutes(config.routes, providers);
    const recording = {
      logId: ledger?.logId ?? null,
      pendingEvents: () => writer.backlog,
      failedEvents: () => writer.failed,
      publishBacklog: () => publisher.backlog,
    };
    const keys = new KeyRegistry(store);
    const policies = { rules: config.policies, version: policyVersion(config.policies) };
    const context: GatewayContext = {
      ...{ config, providers, routes, upstream, store },
      ...{ events: writer, pricing, budgets, logger, recording, keys, jwt, policies, privacy },
    };
    const stopWatching = options.configFile
      ? watchPolicies(context, options.configFile, environment)
      : () => undefined;
    opened.push(async () => stopWatching());

    const server = createServer(context, token.value);
    const address = await server.listen({
      port: options.port ?? 4000,
      host: options.host ?? '127.0.0.1',
    });
    logger.info({ address, providers: [...providers.keys()], recovered }, 'gateway listening');

    return {
      url: address.replace('[::1]', 'localhost'),
      adminToken: token.value,
      adminTokenCreated: token.created,
      instanceId: instance.value,
      dataFolder,
      simulatorUrl: simulator?.url ?? null,
      config,
      context,
      recovered,
      flush: () => writer.flush(),
      async close() {
        stopWatching();
        await server.close();
        await writer.close();
        await upstream.close();
        await simulator?.close();
        await store.close();
        await publisher.close();
        unlock();
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/** The store, with each event it appends priced first. */
function pricedAppends(store: Store, pricing: Pricing): Store {
  return {
    ...store,
    append(records) {
      for (const record of records) pricing.price(record.envelope);
      return store.append(records);
    },
  };
}

/** The price list, with a bad `prices.import` file reported as a configuration error. */
function loadPricing(config: Config): Pricing {
  try {
    return createPricing(config.prices, config.usage.estimateWhenMissing);
  } catch (error) {
    if (error instanceof PriceImportError) throw new ConfigError([error.message]);
    throw error;
  }
}

/** The store's path for a configuration and data folder. */
export function storePath(config: Config, dataFolder: string): string {
  if (config.store.type === 'postgres') {
    throw new ConfigError(['store.type: postgres is not available in this version; use sqlite']);
  }
  return config.store.path ?? join(dataFolder, 'auditgate.db');
}

/** This instance's log: its id and origin, the signing key, when to checkpoint. */
function ledgerSetup(config: Config, dataFolder: string, logId: string): LedgerSetup | undefined {
  if (!config.ledger.enabled) return undefined;
  return {
    logId,
    origin: `auditgate/${logId}`,
    privateKeyPem: ledgerKey(dataFolder, config.ledger.keyPath).pem,
    checkpointEvery: config.ledger.checkpointEvery,
    checkpointIntervalMs: config.ledger.checkpointIntervalMs,
  };
}

async function openStore(
  config: Config,
  dataFolder: string,
  ledger: LedgerSetup | undefined,
  publisher: CheckpointPublisher,
  logger: Logger,
): Promise<Store> {
  return openSqliteWorkerStore(storePath(config, dataFolder), {
    ...(ledger ? { ledger } : {}),
    onCheckpoint(result) {
      if ('checkpoint' in result) {
        const { logId, treeSize } = result.checkpoint;
        logger.info({ logId, treeSize }, 'ledger checkpoint signed');
        publisher.publish(result.checkpoint);
      } else {
        logger.error(
          { code: result.error.code, reason: result.error.message },
          'ledger checkpoint not signed',
        );
      }
    },
  });
}
