import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { adminToken, ensureDataFolder, instanceId, lockDataFolder } from '../config/data-folder.js';
import { ConfigError } from '../config/errors.js';
import { ignoredEnvironment, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { startSimulator, type SimulatorOptions } from '../simulator/index.js';
import { recoverInterrupted } from '../store/recover.js';
import { openSqliteWorkerStore } from '../store/sqlite/worker-store.js';
import type { Store } from '../store/types.js';
import { EventWriter } from '../store/writer.js';
import { KeyRegistry } from '../identity/key-registry.js';
import { policyVersion } from '../policy/rules.js';
import { jwtVerifierFor, requireKeyByDefault } from './authenticate.js';
import type { GatewayContext } from './context.js';
import { watchPolicies } from './policy.js';
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
  if (config.usage.estimateWhenMissing) {
    logger.warn('usage.estimateWhenMissing is not applied yet: missing usage stays missing');
  }
  if (config.routes.length > 0) {
    logger.warn({ routes: config.routes.length }, 'routes are validated but not applied yet');
  }

  const dataFolder = resolve(options.dataFolder ?? './data');
  ensureDataFolder(dataFolder);
  const unlock = lockDataFolder(dataFolder);
  // What opened so far, closed in reverse if a later step fails (a port in use, say).
  const opened: (() => Promise<void>)[] = [async () => unlock()];
  const token = adminToken(dataFolder, config.adminToken);
  const instance = instanceId(dataFolder, config.instanceId);
  if (token.created) opened.push(async () => rmSync(join(dataFolder, 'admin-token')));
  try {
    const store = await openStore(config, dataFolder);
    opened.push(() => store.close());
    const writer = new EventWriter(store, {
      onError: (error) => logger.error({ err: error }, 'event batch not written yet; retrying'),
    });
    opened.push(() => writer.close());
    const recovered = await recoverInterrupted(store, writer);
    await writer.flush();

    const simulator = options.simulate
      ? await startSimulator(options.simulate === true ? {} : options.simulate)
      : null;
    if (simulator) opened.push(() => simulator.close());
    const upstream = createUpstreamAgent(config.limits.upstreamTimeoutMs);
    opened.push(() => upstream.close());
    const providers = resolveProviders(config, environment, simulator?.url ?? null);
    const keys = new KeyRegistry(store);
    const context: GatewayContext = {
      config,
      providers,
      upstream,
      store,
      events: writer,
      logger,
      keys,
      jwt,
      policies: { rules: config.policies, version: policyVersion(config.policies) },
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
        unlock();
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function openStore(config: Config, dataFolder: string): Promise<Store> {
  if (config.store.type === 'postgres') {
    throw new ConfigError(['store.type: postgres is not available in this version; use sqlite']);
  }
  return openSqliteWorkerStore(config.store.path ?? join(dataFolder, 'auditgate.db'));
}
