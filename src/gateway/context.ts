import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { AuditEvent } from '../event/types.js';
import type { Store } from '../store/types.js';
import type { Provider } from './routing.js';

/** Takes finished events off the response path. */
export type EventSink = { record(event: AuditEvent): void };

/** What the health route reports of recording and the ledger (issue 6). */
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
  upstream: Agent;
  store: Store;
  events: EventSink;
  logger: Logger;
  recording?: RecordingState;
};
