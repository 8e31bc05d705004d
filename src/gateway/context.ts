import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { AuditEvent } from '../event/types.js';
import type { Store } from '../store/types.js';
import type { Route } from './routes.js';
import type { Provider } from './routing.js';

/** Takes finished events off the response path. */
export type EventSink = { record(event: AuditEvent): void };

/** Everything a proxied call needs from the running gateway. */
export type GatewayContext = {
  config: Config;
  providers: Map<string, Provider>;
  /** `routes:` by the model name callers use. */
  routes: Map<string, Route>;
  upstream: Agent;
  store: Store;
  events: EventSink;
  logger: Logger;
};
