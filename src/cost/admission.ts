import type { AuditEvent, RequestRecord } from '../event/types.js';
import type { BudgetAlert, BudgetKeeper, BudgetRefusal, WorstCase } from './budgets.js';
import { scopeOfEvent } from './budgets.js';
import type { PriceList } from './price-list.js';

/** The request parameters that cap output tokens, per API. */
const MAX_OUTPUT_PARAMETERS = ['max_completion_tokens', 'max_tokens', 'max_output_tokens'];

/**
 * The most a call can cost, from what is known before it is sent. Input is bounded by the body's
 * size in bytes (a text token is at least one byte), output by the request's own maximum, else
 * the model's (`maxOutputTokens` in the price list); each at the dearest rate that could apply
 * (cache writes and long-context tiers included). `null` where no bound is known.
 */
export function worstCaseOf(request: RequestRecord, prices: PriceList): WorstCase {
  const price = request.model
    ? prices.lookup(request.model, request.providerType, request.provider || null)
    : null;
  const maxOutput = requestedMaxOutput(request.parameters) ?? price?.maxOutputTokens ?? null;
  const input = request.bodyBytes;
  const tokens = maxOutput === null ? null : input + maxOutput;
  if (!price || maxOutput === null) return { usd: null, tokens };

  const long = price.longContext;
  const inputRate = Math.max(
    price.input,
    price.cacheWrite ?? 0,
    price.cacheWrite1h ?? 0,
    long?.input ?? 0,
    long?.cacheWrite ?? 0,
  );
  const outputRate = Math.max(price.output ?? 0, price.reasoning ?? 0, long?.output ?? 0);
  const usd = (input * inputRate + maxOutput * outputRate) / 1e6 + (price.perRequestUsd ?? 0);
  return { usd: Math.round(usd * 1e10) / 1e10, tokens };
}

function requestedMaxOutput(parameters: Record<string, unknown> | null): number | null {
  if (!parameters) return null;
  for (const name of MAX_OUTPUT_PARAMETERS) {
    const value = parameters[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  // Gemini: generationConfig.maxOutputTokens.
  const generation = parameters.generationConfig;
  if (typeof generation === 'object' && generation !== null) {
    const value = (generation as Record<string, unknown>).maxOutputTokens;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return null;
}

/** A call's budget admission and settlement, as the gateway calls them. */
export type Admission = {
  /** Admits the call (reserving its worst case) or refuses it; call just before forwarding. */
  admit(
    event: Pick<AuditEvent, 'id' | 'identity' | 'attribution' | 'trace'>,
    request: RequestRecord,
  ): Promise<BudgetRefusal | null>;
  /** Settles the recorded event against its reservation; returns the alerts it crossed. */
  settle(event: AuditEvent): { refusal: BudgetRefusal | null; alerts: BudgetAlert[] };
};

/** Admission over `keeper` with worst cases priced from `prices`. */
export function createAdmission(keeper: BudgetKeeper, prices: PriceList): Admission {
  return {
    async admit(call, request) {
      // Only inference calls are held to budgets; other provider paths cost nothing.
      if (!keeper.active || request.endpoint === 'other') return null;
      const scope = scopeOfEvent(call);
      await keeper.prepare(scope);
      return keeper.admit(call.id, scope, worstCaseOf(request, prices));
    },
    settle(event) {
      if (!keeper.active) return { refusal: null, alerts: [] };
      const usage = event.usage;
      const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
      const alerts = keeper.settle(event.id, scopeOfEvent(event), {
        usd: event.cost?.amountUsd ?? null,
        tokens,
      });
      return { refusal: keeper.takeRefusal(event.id), alerts };
    },
  };
}
