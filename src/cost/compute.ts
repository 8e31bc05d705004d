import type { AuditEvent, Cost, CostBreakdown, Usage } from '../event/types.js';
import type { PriceList, ResolvedPrice } from './price-list.js';

/** Amounts are kept to ten decimal places (a ten-thousandth of a micro-dollar). */
const PRECISION = 1e10;

/**
 * What an event cost, from its usage and the price list; `null` for events that cost nothing by
 * nature (no provider inference call). Usage follows the GenAI conventions (input includes cache
 * reads and writes, output includes reasoning), so uncached input is input minus both.
 */
export function costOfEvent(event: AuditEvent, prices: PriceList): Cost | null {
  if (event.kind !== 'llm.call') return null;
  const request = event.request;
  if (!reachedProvider(event)) return zeroCost(prices.version);

  const model = event.response?.model ?? request?.model ?? null;
  const price = model
    ? prices.lookup(model, request?.providerType ?? null, request?.provider || null)
    : null;
  // A model the answer named but the list lacks may still be priced under the name asked for.
  const fallback =
    !price && request?.model && request.model !== model
      ? prices.lookup(request.model, request.providerType, request.provider || null)
      : null;
  return costOfUsage(event.usage, price ?? fallback, prices.version);
}

/** Whether the call got as far as the provider: one refused by the gateway cost nothing. */
function reachedProvider(event: AuditEvent): boolean {
  const status = event.outcome.status;
  if (status !== 'rejected' && status !== 'blocked') return true;
  return event.timing.upstreamMs !== null;
}

/** The cost of `usage` at `price`; `unknown` (amount `null`) when either is missing. */
export function costOfUsage(
  usage: Usage | null,
  price: ResolvedPrice | null,
  version: string,
): Cost {
  const counted = usage && usage.source !== 'missing' && usage.inputTokens !== null;
  if (!price || !usage || !counted) return unknownCost(version);

  const input = usage.inputTokens ?? 0;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, input - cacheRead - cacheWrite);
  const output = usage.outputTokens ?? 0;
  const reasoning = Math.min(usage.reasoningTokens ?? 0, output);

  const rates = ratesFor(price, input);
  if (rates.output === null && output > 0) return unknownCost(version);
  const writes = cacheWriteSplit(usage, cacheWrite);

  const breakdown: CostBreakdown = {
    input: dollars(uncached, rates.input),
    cacheRead: dollars(cacheRead, rates.cacheRead),
    cacheWrite: round(
      dollars(writes.default, rates.cacheWrite) + dollars(writes.oneHour, rates.cacheWrite1h),
    ),
    // Reasoning tokens are output tokens; they are shown apart, at their own price if any.
    output: dollars(output - reasoning, rates.output ?? 0),
    reasoning: dollars(reasoning, rates.reasoning ?? rates.output ?? 0),
    fees: round(price.perRequestUsd ?? 0),
  };
  const amount = Object.values(breakdown).reduce<number>((sum, part) => sum + (part ?? 0), 0);
  return {
    amountUsd: round(amount),
    breakdown,
    priceVersion: version,
    source: usage.source === 'estimated' ? 'estimated' : 'computed',
  };
}

type Rates = {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  output: number | null;
  reasoning: number | null;
};

/**
 * The rates that apply to a call with `input` tokens in all. A cache class without a price of
 * its own is billed as plain input (OpenAI and Gemini bill cache writes so), and a cache read is
 * never dearer than plain input, so reading from cache never costs more than not.
 */
function ratesFor(price: ResolvedPrice, input: number): Rates {
  const long = price.longContext && input > price.longContext.aboveInputTokens;
  const tier = long ? price.longContext : undefined;
  const plain = tier?.input ?? price.input;
  const cacheWrite = tier?.cacheWrite ?? price.cacheWrite ?? plain;
  return {
    input: plain,
    cacheRead: Math.min(tier?.cacheRead ?? price.cacheRead ?? plain, plain),
    cacheWrite,
    cacheWrite1h: price.cacheWrite1h ?? cacheWrite,
    output: tier?.output ?? price.output ?? null,
    reasoning: price.reasoning ?? null,
  };
}

/**
 * Anthropic splits cache writes by lifetime in `usage.cache_creation` (`ephemeral_5m_input_tokens`,
 * `ephemeral_1h_input_tokens`); every other write is the default lifetime.
 */
function cacheWriteSplit(usage: Usage, total: number): { default: number; oneHour: number } {
  const raw = usage.raw;
  const creation =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>).cache_creation
      : undefined;
  const oneHourValue =
    typeof creation === 'object' && creation !== null
      ? (creation as Record<string, unknown>).ephemeral_1h_input_tokens
      : undefined;
  const oneHour =
    typeof oneHourValue === 'number' && Number.isFinite(oneHourValue)
      ? Math.min(Math.max(0, oneHourValue), total)
      : 0;
  return { default: total - oneHour, oneHour };
}

/** An event whose price or usage is not known: amount `null`, never 0. */
export function unknownCost(version: string): Cost {
  return { amountUsd: null, breakdown: null, priceVersion: version, source: 'unknown' };
}

function zeroCost(version: string): Cost {
  const breakdown = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, fees: 0 };
  return { amountUsd: 0, breakdown, priceVersion: version, source: 'computed' };
}

function dollars(tokens: number, perMillion: number): number {
  return round((tokens * perMillion) / 1e6);
}

function round(amount: number): number {
  return Math.round(amount * PRECISION) / PRECISION;
}
