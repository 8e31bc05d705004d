import { newEventId, newSpanId } from '../event/ids.js';
import { SCHEMA_VERSION, type AuditEvent } from '../event/types.js';
import type { PolicyDecision } from './rules.js';

/** A decision as its `policy.violation` event lists it: linked to the call it fired on. */
export type PolicyViolation = PolicyDecision & { subjectEventId: string };

/**
 * One `policy.violation` event for each rule of `policies:` that fired on a call: same trace
 * (a child span of the call), same identity and attribution, the decision in `policy` with
 * the call's id. The other entries of a call's `policy` (a cost flag, a budget's decision)
 * carry no policy version and have events of their own kinds, or none.
 */
export function violationEvents(call: AuditEvent): AuditEvent[] {
  const fired = call.policy.filter(
    (entry): entry is PolicyDecision => entry.category !== 'cost' && entry.category !== 'budget',
  );
  return fired.map((decision) => {
    const violation: PolicyViolation = { ...decision, subjectEventId: call.id };
    return {
      id: newEventId(),
      kind: 'policy.violation',
      time: call.time,
      schemaVersion: SCHEMA_VERSION,
      trace: { traceId: call.trace.traceId, spanId: newSpanId(), parentSpanId: call.trace.spanId },
      identity: call.identity,
      request: null,
      response: null,
      usage: null,
      cost: null,
      attribution: call.attribution,
      policy: [violation],
      privacy: null,
      attempts: [],
      timing: {
        receivedAt: call.timing.receivedAt,
        ttftMs: null,
        latencyMs: null,
        upstreamMs: null,
        overheadMs: null,
      },
      outcome: {
        status: decision.action === 'block' ? 'blocked' : 'ok',
        error: null,
      },
      ledger: null,
    };
  });
}
