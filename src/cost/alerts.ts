import { createHmac } from 'node:crypto';
import { newEventId, newSpanId } from '../event/ids.js';
import { SCHEMA_VERSION, type AuditEvent, type BudgetDecision } from '../event/types.js';
import type { BudgetAlert, BudgetRefusal } from './budgets.js';

/** The `budget.alert` event for an alert, in the trace and attribution of the call that crossed it. */
export function alertEvent(alert: BudgetAlert, cause: AuditEvent): AuditEvent {
  const time = new Date().toISOString();
  return {
    id: newEventId(),
    kind: 'budget.alert',
    time,
    schemaVersion: SCHEMA_VERSION,
    trace: { traceId: cause.trace.traceId, spanId: newSpanId(), parentSpanId: cause.trace.spanId },
    identity: cause.identity,
    request: null,
    response: null,
    usage: null,
    cost: null,
    attribution: cause.attribution,
    policy: [budgetDecision('alert', alertFindings(alert))],
    privacy: null,
    attempts: [],
    timing: { receivedAt: time, ttftMs: null, latencyMs: null, upstreamMs: null, overheadMs: null },
    outcome: { status: 'ok', error: null },
    ledger: null,
  };
}

/** What an alert says, in its event and its webhook body. */
export function alertFindings(alert: BudgetAlert): { budget: string } & Record<string, unknown> {
  const { budget } = alert;
  return {
    budget: budget.name,
    scope: budget.scope,
    value: alert.value,
    period: budget.period,
    periodKey: alert.period,
    spentUsd: alert.spentUsd,
    alertAtUsd: budget.alertAtUsd ?? null,
    limitUsd: budget.limitUsd ?? null,
    causeEventId: alert.eventId,
  };
}

/** A budget's decision on an event, in the shape of a policy decision. */
export function budgetDecision(
  action: 'alert' | 'block',
  state: { budget: string } & Record<string, unknown>,
): BudgetDecision {
  const { budget: name, ...rest } = state;
  return {
    ruleId: `budget.${name}`,
    policyVersion: null,
    category: 'budget',
    action,
    severity: action === 'block' ? 'high' : 'medium',
    findings: [{ type: action === 'block' ? 'budget_exceeded' : 'budget_alert', count: 1 }],
    budget: { name, ...rest },
  };
}

/** The message a refused call is answered with: the budget, what it holds, and the event id. */
export function refusalMessage(refusal: BudgetRefusal, eventId: string): string {
  const held =
    refusal.limit === 'usd'
      ? `$${refusal.spentUsd} of its $${refusal.limitUsd} is spent or held, and this call may ` +
        `cost up to ${refusal.worstCase.usd === null ? 'an unknown amount' : `$${refusal.worstCase.usd}`}`
      : `${refusal.spentTokens} of its ${refusal.limitTokens} tokens are spent or held, and ` +
        `this call may use up to ${refusal.worstCase.tokens ?? 'an unknown number'}`;
  return (
    `budget '${refusal.budget}' (${refusal.scope} ${refusal.value}, per ${refusal.period}) ` +
    `would be exceeded: ${held}; audit event ${eventId}`
  );
}

/** The `x-auditgate-signature` value: `sha256=` and the hex HMAC-SHA-256 of the body. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type WebhookResult = { delivered: boolean; attempts: number; error: string | null };

/**
 * POSTs `body` to `url`, signed, retrying a failure (a network error or a status other than 2xx)
 * with doubling delays from `baseDelayMs`, up to `attempts` tries.
 */
export async function deliverWebhook(
  url: string,
  body: string,
  secret: string | null,
  options: { attempts?: number; baseDelayMs?: number; timeoutMs?: number } = {},
): Promise<WebhookResult> {
  const attempts = options.attempts ?? 5;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret) headers['x-auditgate-signature'] = signature(body, secret);
  let error: string | null = null;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      if (response.ok) return { delivered: true, attempts: attempt, error: null };
      error = `status ${response.status}`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    if (attempt < attempts) {
      const delay = (options.baseDelayMs ?? 500) * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return { delivered: false, attempts, error };
}
