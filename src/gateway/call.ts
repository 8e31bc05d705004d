import { performance } from 'node:perf_hooks';
import { newEventId } from '../event/ids.js';
import { emptyRequest, missingUsage } from '../event/records.js';
import type { StreamMeter } from '../cost/budget-service.js';
import type { PolicyDecision } from '../policy/rules.js';
import {
  SCHEMA_VERSION,
  type Attempt,
  type Attribution,
  type AuditEvent,
  type EventKind,
  type Identity,
  type Outcome,
  type RequestRecord,
  type ResponseRecord,
  type TraceContext,
  type Usage,
} from '../event/types.js';

/** Milliseconds since the call was received, on the monotonic clock. */
type Mark = number;

/**
 * One proxied call while it runs: what is known so far, and the clock marks from which the
 * event's timing is computed when it ends.
 */
export class Call {
  readonly id = newEventId();
  readonly receivedAt = new Date();
  private readonly start = performance.now();

  kind: EventKind = 'http.call';
  request: RequestRecord;
  response: ResponseRecord | null = null;
  usage: Usage | null = null;
  outcome: Outcome = { status: 'ok', error: null };
  /** Each try upstream, in order; the last one's answer is the one the caller got. */
  attempts: Attempt[] = [];
  /** Rules that fired on the call. */
  policy: PolicyDecision[] = [];

  upstreamStart: Mark | null = null;
  upstreamEnd: Mark | null = null;
  firstToken: Mark | null = null;
  /** Counts a streamed answer against the call's budgets as it arrives; `null` without budgets. */
  meter: StreamMeter | null = null;

  constructor(
    readonly trace: TraceContext,
    public identity: Identity,
    public attribution: Attribution,
    method: string,
    path: string,
  ) {
    this.request = emptyRequest(method, path);
  }

  /** Milliseconds since the call was received. */
  elapsed(): Mark {
    return performance.now() - this.start;
  }

  /** The gateway's own time so far: everything but the wait on the provider. */
  overheadSoFar(): number {
    const upstream = this.upstreamStart === null ? 0 : this.elapsed() - this.upstreamStart;
    return round(this.elapsed() - upstream);
  }

  /** The finished event. */
  toEvent(): AuditEvent {
    const latencyMs = this.elapsed();
    const upstreamMs =
      this.upstreamStart === null ? null : (this.upstreamEnd ?? latencyMs) - this.upstreamStart;

    return {
      id: this.id,
      kind: this.kind,
      time: this.receivedAt.toISOString(),
      schemaVersion: SCHEMA_VERSION,
      trace: this.trace,
      identity: this.identity,
      request: this.request,
      response: this.response,
      usage: this.kind === 'llm.call' ? (this.usage ?? missingUsage()) : this.usage,
      cost: null,
      attribution: this.attribution,
      policy: this.policy,
      privacy: null,
      attempts: this.attempts,
      timing: {
        receivedAt: this.receivedAt.toISOString(),
        ttftMs: this.firstToken === null ? null : round(this.firstToken),
        latencyMs: round(latencyMs),
        upstreamMs: upstreamMs === null ? null : round(upstreamMs),
        overheadMs: upstreamMs === null ? round(latencyMs) : round(latencyMs - upstreamMs),
      },
      outcome: this.outcome,
      ledger: null,
    };
  }
}

function round(milliseconds: number): number {
  return Math.round(milliseconds * 100) / 100;
}
