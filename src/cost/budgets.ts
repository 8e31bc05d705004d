import type { AuditEvent } from '../event/types.js';
import type { SpendDimension, SpendStore } from '../store/types.js';
import type { BudgetConfig, BudgetScope } from './config.js';

/** Who a call is attributed to, by budget scope; `null` where the call says nothing. */
export type CallScope = Record<BudgetScope, string | null>;

/** The most a call can cost before it is sent; `null` where it cannot be bounded. */
export type WorstCase = { usd: number | null; tokens: number | null };

/** What a call actually used, once recorded; `usd` is `null` when its cost is unknown. */
export type Actual = { usd: number | null; tokens: number };

/** A call refused because a budget would be passed. */
export type BudgetRefusal = {
  budget: string;
  scope: BudgetScope;
  value: string;
  period: BudgetConfig['period'];
  /** Which limit the call would pass. */
  limit: 'usd' | 'tokens';
  /** What the budget has spent and holds for calls in flight, and its limit. */
  spentUsd: number;
  limitUsd: number | null;
  spentTokens: number;
  limitTokens: number | null;
  worstCase: WorstCase;
};

/** A budget whose alert threshold a call has crossed (once a period). */
export type BudgetAlert = {
  budget: BudgetConfig;
  value: string;
  period: string;
  spentUsd: number;
  /** The call that crossed the threshold. */
  eventId: string;
};

type Counter = {
  spentUsd: number;
  spentTokens: number;
  reservedUsd: number;
  reservedTokens: number;
  alerted: boolean;
};

type Reservation = {
  entries: { budget: BudgetConfig; value: string; counter: Counter }[];
  worstCase: WorstCase;
  /** What `progress` has moved from this call's reservation into spend while it streams. */
  runningUsd: number;
  runningTokens: number;
};

/** Which spend dimension restores each scope's counters (trace is read from its events). */
const SCOPE_DIMENSIONS: Record<Exclude<BudgetScope, 'trace'>, SpendDimension> = {
  key: 'key',
  team: 'team',
  businessUnit: 'businessUnit',
  project: 'project',
  app: 'app',
  user: 'user',
  agent: 'agent',
};

/**
 * Budget counters, kept in memory and started from the store's aggregates. Admission is
 * synchronous: a call reserves its worst case on every budget it falls under before it is
 * forwarded, and the reservation is replaced by the real spend when its event is recorded. Since
 * checking and reserving happen in one turn of the event loop, calls in flight together can never
 * pass a limit. Counters are per process: several gateways share no counters yet.
 */
export class BudgetKeeper {
  readonly #budgets: readonly BudgetConfig[];
  readonly #now: () => number;
  readonly #counters = new Map<string, Counter>();
  readonly #reservations = new Map<string, Reservation>();
  readonly #refusals = new Map<string, BudgetRefusal>();
  readonly #traces = new Map<string, Promise<void>>();
  #store: SpendStore | null = null;

  constructor(budgets: readonly BudgetConfig[], now: () => number = Date.now) {
    this.#budgets = budgets;
    this.#now = now;
  }

  /** Whether any budget is configured (admission is skipped without). */
  get active(): boolean {
    return this.#budgets.length > 0;
  }

  /** Starts each budget's counters for the current period from the stored spend. */
  async restore(store: SpendStore): Promise<void> {
    this.#store = store;
    const now = this.#now();
    for (const budget of this.#budgets) {
      if (budget.scope === 'trace') continue;
      const dimension = SCOPE_DIMENSIONS[budget.scope];
      const start = periodStart(budget.period, now);
      const rows = await store.spend({
        groupBy: [dimension],
        bucket: 'none',
        ...(start === null ? {} : { from: new Date(start).toISOString() }),
        ...(budget.match ? { where: { [dimension]: budget.match } } : {}),
      });
      for (const row of rows) {
        const value = row.group[dimension];
        if (!value) continue;
        const counter = this.#counter(budget, value, now);
        counter.spentUsd = row.costUsd;
        counter.spentTokens = row.inputTokens + row.outputTokens;
        counter.alerted = budget.alertAtUsd !== undefined && row.costUsd >= budget.alertAtUsd;
      }
    }
  }

  /** Reads a trace's stored spend once, before its first call is admitted in this process. */
  async prepare(scope: CallScope): Promise<void> {
    const trace = scope.trace;
    const store = this.#store;
    if (!trace || !store || !this.#budgets.some((budget) => budget.scope === 'trace')) return;
    let loading = this.#traces.get(trace);
    if (!loading) {
      loading = store.traceSpend(trace).then((spent) => {
        for (const budget of this.#budgets) {
          if (budget.scope !== 'trace' || !applies(budget, trace)) continue;
          const counter = this.#counter(budget, trace, this.#now());
          counter.spentUsd += spent.costUsd;
          counter.spentTokens += spent.tokens;
        }
      });
      this.#traces.set(trace, loading);
    }
    await loading;
  }

  /**
   * Admits the call `eventId` and reserves its worst case on every budget it falls under, or
   * refuses it naming the first budget it would pass. A worst case that cannot be bounded (no
   * price, no maximum output) is admitted and counted when recorded.
   */
  admit(eventId: string, scope: CallScope, worstCase: WorstCase): BudgetRefusal | null {
    const now = this.#now();
    const entries: Reservation['entries'] = [];
    for (const budget of this.#budgets) {
      const value = scope[budget.scope];
      if (!value || !applies(budget, value)) continue;
      const counter = this.#counter(budget, value, now);
      const usd = counter.spentUsd + counter.reservedUsd;
      const tokens = counter.spentTokens + counter.reservedTokens;
      // Refused when its worst case would pass the limit, or when nothing is left (which also
      // holds back a call whose worst case is unknown).
      const overUsd =
        budget.limitUsd !== undefined &&
        (usd >= budget.limitUsd || usd + (worstCase.usd ?? 0) > budget.limitUsd);
      const overTokens =
        budget.limitTokens !== undefined &&
        (tokens >= budget.limitTokens || tokens + (worstCase.tokens ?? 0) > budget.limitTokens);
      if (overUsd || overTokens) {
        const refusal: BudgetRefusal = {
          budget: budget.name,
          scope: budget.scope,
          value,
          period: budget.period,
          limit: overUsd ? 'usd' : 'tokens',
          spentUsd: round(usd),
          limitUsd: budget.limitUsd ?? null,
          spentTokens: tokens,
          limitTokens: budget.limitTokens ?? null,
          worstCase,
        };
        this.#refusals.set(eventId, refusal);
        return refusal;
      }
      entries.push({ budget, value, counter });
    }
    for (const { counter } of entries) {
      counter.reservedUsd += worstCase.usd ?? 0;
      counter.reservedTokens += worstCase.tokens ?? 0;
    }
    if (entries.length) {
      this.#reservations.set(eventId, { entries, worstCase, runningUsd: 0, runningTokens: 0 });
    }
    return null;
  }

  /**
   * Counts what a streaming call has produced so far: the part of its reservation that the
   * running cost covers moves into spend (a running cost only grows, and never moves more than
   * was reserved out of the reservation), so spend and alerts are current while it streams.
   * Returns the alerts crossed, and a refusal when a budget's limit is now passed (a stream whose
   * worst case was unbounded), which the gateway answers by ending the stream.
   */
  progress(
    eventId: string,
    running: Actual,
  ): { stop: BudgetRefusal | null; alerts: BudgetAlert[] } {
    const reservation = this.#reservations.get(eventId);
    if (!reservation) return { stop: null, alerts: [] };
    const addUsd = Math.max(0, (running.usd ?? 0) - reservation.runningUsd);
    const addTokens = Math.max(0, running.tokens - reservation.runningTokens);
    const releaseUsd = Math.min(
      addUsd,
      Math.max(0, (reservation.worstCase.usd ?? 0) - reservation.runningUsd),
    );
    const releaseTokens = Math.min(
      addTokens,
      Math.max(0, (reservation.worstCase.tokens ?? 0) - reservation.runningTokens),
    );
    reservation.runningUsd += addUsd;
    reservation.runningTokens += addTokens;

    const alerts: BudgetAlert[] = [];
    let stop: BudgetRefusal | null = null;
    const now = this.#now();
    for (const { budget, value, counter } of reservation.entries) {
      counter.spentUsd = round(counter.spentUsd + addUsd);
      counter.spentTokens += addTokens;
      counter.reservedUsd = Math.max(0, round(counter.reservedUsd - releaseUsd));
      counter.reservedTokens = Math.max(0, counter.reservedTokens - releaseTokens);
      alerts.push(...this.#crossed(budget, value, counter, eventId, now));
      const overUsd = budget.limitUsd !== undefined && counter.spentUsd > budget.limitUsd;
      const overTokens =
        budget.limitTokens !== undefined && counter.spentTokens > budget.limitTokens;
      if (!stop && (overUsd || overTokens)) {
        stop = {
          budget: budget.name,
          scope: budget.scope,
          value,
          period: budget.period,
          limit: overUsd ? 'usd' : 'tokens',
          spentUsd: counter.spentUsd,
          limitUsd: budget.limitUsd ?? null,
          spentTokens: counter.spentTokens,
          limitTokens: budget.limitTokens ?? null,
          worstCase: reservation.worstCase,
        };
        this.#refusals.set(eventId, stop);
      }
    }
    return { stop, alerts };
  }

  /** The refusal of a call `admit` refused, once (for its event). */
  takeRefusal(eventId: string): BudgetRefusal | null {
    const refusal = this.#refusals.get(eventId) ?? null;
    this.#refusals.delete(eventId);
    return refusal;
  }

  /**
   * Replaces the call's reservation with what it really spent, and counts a call that was not
   * reserved (admitted before any budget applied to it, or not admitted at all) where it falls.
   * Returns the alerts crossed. A cost that is unknown adds no dollars, only tokens.
   */
  settle(eventId: string, scope: CallScope, reported: Actual, exact = true): BudgetAlert[] {
    const reservation = this.#reservations.get(eventId);
    this.#reservations.delete(eventId);
    let actual = reported;
    if (reservation && !exact) {
      // Usage the provider did not report whole (a stream cut short): what was counted while it
      // streamed stands, since it is never below what was produced.
      actual = {
        usd: Math.max(reported.usd ?? 0, reservation.runningUsd) || reported.usd,
        tokens: Math.max(reported.tokens, reservation.runningTokens),
      };
    }
    if (reservation) {
      // What streaming moved into spend is taken back, and what it left reserved released; the
      // real cost is then counted below.
      const leftUsd = Math.max(0, (reservation.worstCase.usd ?? 0) - reservation.runningUsd);
      const leftTokens = Math.max(
        0,
        (reservation.worstCase.tokens ?? 0) - reservation.runningTokens,
      );
      for (const { counter } of reservation.entries) {
        counter.reservedUsd = Math.max(0, round(counter.reservedUsd - leftUsd));
        counter.reservedTokens = Math.max(0, counter.reservedTokens - leftTokens);
        counter.spentUsd = Math.max(0, round(counter.spentUsd - reservation.runningUsd));
        counter.spentTokens = Math.max(0, counter.spentTokens - reservation.runningTokens);
      }
    }

    const alerts: BudgetAlert[] = [];
    const now = this.#now();
    for (const budget of this.#budgets) {
      const value = scope[budget.scope];
      if (!value || !applies(budget, value)) continue;
      const counter = this.#counter(budget, value, now);
      counter.spentUsd = round(counter.spentUsd + (actual.usd ?? 0));
      counter.spentTokens += actual.tokens;
      alerts.push(...this.#crossed(budget, value, counter, eventId, now));
    }
    return alerts;
  }

  /** The alert `counter` has just crossed, once a period. */
  #crossed(
    budget: BudgetConfig,
    value: string,
    counter: Counter,
    eventId: string,
    now: number,
  ): BudgetAlert[] {
    if (budget.alertAtUsd === undefined || counter.alerted) return [];
    if (counter.spentUsd < budget.alertAtUsd) return [];
    counter.alerted = true;
    const period = periodKey(budget.period, now);
    return [{ budget, value, period, spentUsd: counter.spentUsd, eventId }];
  }

  #counter(budget: BudgetConfig, value: string, now: number): Counter {
    const key = `${budget.name}\u0000${value}\u0000${periodKey(budget.period, now)}`;
    let counter = this.#counters.get(key);
    if (!counter) {
      counter = { spentUsd: 0, spentTokens: 0, reservedUsd: 0, reservedTokens: 0, alerted: false };
      this.#counters.set(key, counter);
    }
    return counter;
  }
}

function applies(budget: BudgetConfig, value: string): boolean {
  return budget.match === undefined || budget.match === value;
}

/** The UTC start of the budget's current period, `null` for `total`. */
export function periodStart(period: BudgetConfig['period'], now: number): number | null {
  const date = new Date(now);
  if (period === 'day')
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (period === 'month') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return null;
}

function periodKey(period: BudgetConfig['period'], now: number): string {
  const iso = new Date(now).toISOString();
  if (period === 'day') return iso.slice(0, 10);
  if (period === 'month') return iso.slice(0, 7);
  return 'total';
}

/** Who the event is attributed to, by budget scope. */
export function scopeOfEvent(
  event: Pick<AuditEvent, 'identity' | 'attribution' | 'trace'>,
): CallScope {
  const { identity, attribution } = event;
  return {
    key: identity.keyId ?? identity.keyFingerprint,
    team: attribution.teamId ?? identity.teamId,
    businessUnit: attribution.businessUnit,
    project: attribution.project,
    app: attribution.appId ?? identity.appId,
    user: attribution.userId ?? identity.userId,
    agent: attribution.agentId ?? identity.agentId,
    trace: event.trace.traceId,
  };
}

function round(amount: number): number {
  return Math.round(amount * 1e10) / 1e10;
}
