import { newSpanId, newTraceId } from '../event/ids.js';
import type { TraceContext } from '../event/types.js';

// W3C Trace Context, section 3.2: version "00", 32-hex trace id, 16-hex parent id, flags.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The trace a request belongs to: the caller's `traceparent` when valid (its span becomes
 * this event's parent), else a new trace. Either way this event gets a span of its own.
 */
export function traceFromHeader(traceparent: string | undefined): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  const [, version, traceId, parentId] = match ?? [];
  if (!match || version === 'ff' || !traceId || !parentId) return freshTrace();
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return freshTrace();
  return { traceId, spanId: newSpanId(), parentSpanId: parentId };
}

function freshTrace(): TraceContext {
  return { traceId: newTraceId(), spanId: newSpanId(), parentSpanId: null };
}
