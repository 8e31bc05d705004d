import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JwtVerifier } from '../identity/jwt.js';
import type { KeyRegistry } from '../identity/key-registry.js';
import type { AuditEvent } from '../event/types.js';
import type { Store } from '../store/types.js';
import type { PolicySet } from './policy.js';
import type { Provider } from './routing.js';

/** Takes finished events off the response path. */
export type EventSink = { record(event: AuditEvent): void };

/** Everything a proxied call needs from the running gateway. */
export type GatewayContext = {
  config: Config;
  providers: Map<string, Provider>;
  upstream: Agent;
  store: Store;
  events: EventSink;
  logger: Logger;
  /** Virtual keys, cached, revoked at once. */
  keys: KeyRegistry;
  /** Verifies bearer JWTs when `auth.jwt` is configured. */
  jwt: JwtVerifier | null;
  /** The rules of `policies:` and their version. */
  policies: PolicySet;
};
