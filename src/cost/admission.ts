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
  const bounds = boundsOf(request, prices);
  const tokens = bounds.maxOutput === null ? null : bounds.input + bounds.maxOutput;
  if (!bounds.rates || bounds.maxOutput === null) return { usd: null, tokens };
  return { usd: costAt(bounds.rates, bounds.input, bounds.maxOutput), tokens };
}

/**
 * What a streaming call has produced at most, after `streamedBytes` bytes of its answer: its
 * input bound (as in the worst case) and one output token per byte of the stream (a token is at
 * least one byte of text, and the text is inside the stream), capped at its maximum output. It is
 * never below what was produced, and never above the worst case.
 * TODO(#8): count the text the stream assemblers have read instead of the stream's bytes (SSE
 * framing included), so that a token ceiling stops an unbounded stream nearer its real tokens.
 */
export function runningCostOf(
  bounds: CallBounds,
  streamedBytes: number,
): { usd: number | null; tokens: number } {
  const output =
    bounds.maxOutput === null ? streamedBytes : Math.min(streamedBytes, bounds.maxOutput);
  const usd = bounds.rates ? costAt(bounds.rates, bounds.input, output) : null;
  return { usd, tokens: bounds.input + output };
}

type Rates = { input: number; output: number; perRequest: number };

/** A call's bounds before it is sent: input tokens, maximum output and the dearest rates. */
export type CallBounds = { input: number; maxOutput: number | null; rates: Rates | null };

/** The bounds of `request` from its body size, its maximum output and the price list. */
export function boundsOf(request: RequestRecord, prices: PriceList): CallBounds {
  const price = request.model
    ? prices.lookup(request.model, request.providerType, request.provider || null)
    : null;
  const maxOutput = requestedMaxOutput(request.parameters) ?? price?.maxOutputTokens ?? null;
  const input = request.bodyBytes;
  if (!price) return { input, maxOutput, rates: null };
  const long = price.longContext;
  const rates = {
    input: Math.max(
      price.input,
      price.cacheWrite ?? 0,
      price.cacheWrite1h ?? 0,
      long?.input ?? 0,
      long?.cacheWrite ?? 0,
    ),
    output: Math.max(price.output ?? 0, price.reasoning ?? 0, long?.output ?? 0),
    perRequest: price.perRequestUsd ?? 0,
  };
  return { input, maxOutput, rates };
}

function costAt(rates: Rates, input: number, output: number): number {
  const usd = (input * rates.input + output * rates.output) / 1e6 + rates.perRequest;
  return Math.round(usd * 1e10) / 1e10;
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
  /**
   * Counts a streaming call's answer as it arrives, from the bytes streamed so far; returns the
   * alerts crossed and, once a budget's limit is passed, the refusal that stops the stream.
   */
  progress(
    eventId: string,
    request: RequestRecord,
    streamedBytes: number,
  ): { stop: BudgetRefusal | null; alerts: BudgetAlert[] };
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
    progress(eventId, request, streamedBytes) {
      const running = runningCostOf(boundsOf(request, prices), streamedBytes);
      return keeper.progress(eventId, running);
    },
    settle(event) {
      if (!keeper.active) return { refusal: null, alerts: [] };
      const usage = event.usage;
      const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
      const actual = { usd: event.cost?.amountUsd ?? null, tokens };
      const exact = usage?.source === 'provider';
      const alerts = keeper.settle(event.id, scopeOfEvent(event), actual, exact);
      return { refusal: keeper.takeRefusal(event.id), alerts };
    },
  };
}
