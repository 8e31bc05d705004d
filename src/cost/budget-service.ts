import type { AuditEvent, RequestRecord } from '../event/types.js';
import type { SpendStore } from '../store/types.js';
import { createAdmission } from './admission.js';
import {
  alertEvent,
  alertFindings,
  budgetDecision,
  deliverWebhook,
  type WebhookResult,
} from './alerts.js';
import { BudgetKeeper, type BudgetAlert, type BudgetRefusal } from './budgets.js';
import type { BudgetConfig } from './config.js';
import type { PriceList } from './price-list.js';

/** Budgets as the gateway uses them: admit before forwarding, settle when recording. */
export type Budgets = {
  /** Starts the counters from the stored spend; call once at start-up. */
  restore(): Promise<void>;
  /** Admits the call or returns the refusal; reserves its worst case while it runs. */
  admit(
    call: Pick<AuditEvent, 'id' | 'identity' | 'attribution' | 'trace'>,
    request: RequestRecord,
  ): Promise<BudgetRefusal | null>;
  /**
   * Settles the event (priced already) against its reservation, marks a refused call's event with
   * the budget's decision, records a `budget.alert` event for each alert crossed and posts its
   * webhook (in the background).
   */
  settle(event: AuditEvent): void;
  /**
   * A meter that counts a streaming call's answer as it arrives (`null` without budgets). `cause`
   * builds the call's event as it stands, for the `budget.alert` events a stream crosses.
   */
  meter(
    call: Pick<AuditEvent, 'id'>,
    request: RequestRecord,
    cause: () => AuditEvent,
  ): StreamMeter | null;
  /** Resolves when every webhook started so far has been delivered or given up. */
  idle(): Promise<void>;
};

/** Counts a stream's bytes; what the relay calls for each chunk it forwards. */
export type StreamMeter = {
  /** Adds a chunk of `bytes`; returns the refusal that must end the stream, once a limit passes. */
  write(bytes: number): BudgetRefusal | null;
};

/**
 * A stream's counters are moved at most once per this many bytes of its answer, or once this
 * many milliseconds have passed since the last move (checked when a chunk arrives), so that a
 * chunk costs an addition and a clock read, not a price lookup.
 */
export const METER_BYTES = 8 * 1024;
export const METER_MS = 250;

export type BudgetsOptions = {
  budgets: readonly BudgetConfig[];
  prices: PriceList;
  store: SpendStore;
  /** Records an event the budgets write themselves (`budget.alert`). */
  record(event: AuditEvent): void;
  environment: NodeJS.ProcessEnv;
  /** Told of each webhook that could not be delivered after its retries. */
  onWebhookFailure?(budget: string, result: WebhookResult): void;
  /** First retry delay of a webhook, doubled each try (default 500 ms). */
  webhookRetryDelayMs?: number;
};

/** Budgets over the configured list; inert when the list is empty. */
export function createBudgets(options: BudgetsOptions): Budgets {
  const keeper = new BudgetKeeper(options.budgets);
  const admission = createAdmission(keeper, options.prices);
  const pending = new Set<Promise<void>>();

  const notify = (alert: BudgetAlert, event: AuditEvent) => {
    const webhook = alert.budget.webhook;
    if (!webhook) return;
    const secret =
      webhook.secret ?? (webhook.secretEnv ? options.environment[webhook.secretEnv] : undefined);
    const body = JSON.stringify({
      type: 'budget.alert',
      eventId: event.id,
      ...alertFindings(alert),
    });
    const delivery = deliverWebhook(webhook.url, body, secret ?? null, {
      baseDelayMs: options.webhookRetryDelayMs,
    }).then((result) => {
      if (!result.delivered) options.onWebhookFailure?.(alert.budget.name, result);
    });
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  };

  return {
    restore: () => (keeper.active ? keeper.restore(options.store) : Promise.resolve()),
    admit: (call, request) => admission.admit(call, request),
    settle(event) {
      const { refusal, alerts } = admission.settle(event);
      if (refusal) {
        event.policy.push(budgetDecision('block', { ...refusal }));
      }
      for (const alert of alerts) {
        const alertRecord = alertEvent(alert, event);
        options.record(alertRecord);
        notify(alert, alertRecord);
      }
    },
    meter(call, request, cause) {
      if (!keeper.active || request.endpoint === 'other') return null;
      let streamed = 0;
      let counted = 0;
      let countedAt = Date.now();
      return {
        write(bytes) {
          streamed += bytes;
          if (streamed - counted < METER_BYTES) {
            const now = Date.now();
            if (now - countedAt < METER_MS) return null;
          }
          counted = streamed;
          countedAt = Date.now();
          const { stop, alerts } = admission.progress(call.id, request, streamed);
          if (alerts.length) {
            const event = cause();
            for (const alert of alerts) {
              const alertRecord = alertEvent(alert, event);
              options.record(alertRecord);
              notify(alert, alertRecord);
            }
          }
          return stop;
        },
      };
    },
    async idle() {
      await Promise.all([...pending]);
    },
  };
}
