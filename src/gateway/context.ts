import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Budgets } from '../cost/budget-service.js';
import type { Pricing } from '../cost/pricing.js';
import type { AuditEvent } from '../event/types.js';
import type { ProtectionSettings } from '../privacy/protect.js';
import type { Store } from '../store/types.js';
import type { Route } from './routes.js';
import type { JwtVerifier } from '../identity/jwt.js';
import type { KeyRegistry } from '../identity/key-registry.js';
import type { PolicySet } from './policy.js';
import type { Provider } from './routing.js';

/** Takes finished events off the response path. */
export type EventSink = { record(event: AuditEvent): void };

/** What the health route reports of recording and the ledger. */
export type RecordingState = {
  /** This instance's ledger log, `null` with the ledger off. */
  logId: string | null;
  /** Events recorded and not yet written to the store. */
  pendingEvents(): number;
  /** Of those, events whose write failed and waits for its retry. */
  failedEvents(): number;
  /** Checkpoint deliveries to outside sinks not yet done. */
  publishBacklog(): number;
};

/** Everything a proxied call needs from the running gateway. */
export type GatewayContext = {
  config: Config;
  providers: Map<string, Provider>;
  /** `routes:` by the model name callers use. */
  routes: Map<string, Route>;
  upstream: Agent;
  store: Store;
  events: EventSink;
  /** Prices each event as it is recorded. */
  pricing: Pricing;
  /** Admits calls against the budgets and settles them when recorded. */
  budgets: Budgets;
  logger: Logger;
  recording?: RecordingState;
  /** Virtual keys, cached, revoked at once. */
  keys: KeyRegistry;
  /** Verifies bearer JWTs when `auth.jwt` is configured. */
  jwt: JwtVerifier | null;
  /** The rules of `policies:` and their version. */
  policies: PolicySet;
  /** The privacy gate's settings, shared with the event writer (and its findings cache). */
  privacy?: ProtectionSettings;
};
