import type { FastifyRequest } from 'fastify';
import { newEventId, newSpanId, newTraceId } from '../event/ids.js';
import { SCHEMA_VERSION, type AuditEvent } from '../event/types.js';

/** An event the gateway writes about an admin action taken through the API. */
export function adminEvent(kind: AuditEvent['kind'], request: FastifyRequest): AuditEvent {
  const time = new Date().toISOString();
  return {
    id: newEventId(),
    kind,
    time,
    schemaVersion: SCHEMA_VERSION,
    trace: { traceId: newTraceId(), spanId: newSpanId(), parentSpanId: null },
    identity: {
      userId: null,
      sessionId: null,
      agentId: null,
      appId: null,
      teamId: null,
      actorType: 'human',
      // Who asked is in the event's own record (erasure: `requestedBy`; access: `principal`).
      authMethod: 'none',
      verified: [],
      asserted: null,
      keyId: null,
      keyFingerprint: null,
      clientAddress: request.socket.remoteAddress ?? null,
      userAgent: request.headers['user-agent'] ?? null,
    },
    request: null,
    response: null,
    usage: null,
    cost: null,
    attribution: {
      teamId: null,
      businessUnit: null,
      project: null,
      appId: null,
      agentId: null,
      userId: null,
      tags: {},
    },
    policy: [],
    privacy: null,
    attempts: [],
    timing: { receivedAt: time, ttftMs: null, latencyMs: null, upstreamMs: null, overheadMs: null },
    outcome: { status: 'ok', error: null },
    ledger: null,
  };
}
