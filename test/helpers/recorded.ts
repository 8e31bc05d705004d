import type { AuditEvent } from '../../src/event/types.js';
import type { TestGateway } from './gateway.js';

/** An event id as the gateway sends it in `x-auditgate-event-id`: a UUIDv7. */
export const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Reads an event that is recorded some time after the client is gone (an aborted or broken
 * call), polling until it is stored or `timeoutMs` passes.
 */
export async function waitForEvent(
  gateway: TestGateway,
  id: string | null,
  timeoutMs = 3000,
): Promise<AuditEvent> {
  if (!id) throw new Error('the response carried no x-auditgate-event-id header');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await gateway.flush();
    const { status, body } = await gateway.api(`/api/v1/events/${id}`);
    if (status === 200) return body as AuditEvent;
    if (Date.now() > deadline) throw new Error(`event ${id} not recorded within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The fields of an event that say what happened to a call, for one `deepEqual`. */
export function outcomeOf(event: AuditEvent) {
  return {
    kind: event.kind,
    provider: event.request?.provider ?? null,
    path: event.request?.path ?? null,
    outcome: event.outcome,
    httpStatus: event.response?.httpStatus ?? null,
    error: event.response?.error ?? null,
    usageSource: event.usage?.source ?? null,
  };
}

/** The text of an event's first output message, joined from its text parts. */
export function outputText(event: AuditEvent): string | null {
  const message = event.response?.output?.[0];
  if (!message) return null;
  return message.parts.map((part) => (part.type === 'text' ? part.content : '')).join('');
}
