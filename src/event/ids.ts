import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** A new event id: UUIDv7, so ids sort by time. */
export function newEventId(): string {
  return uuidv7();
}

/** A W3C trace id: 16 random bytes as 32 lower-case hex digits. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** A W3C span id: 8 random bytes as 16 lower-case hex digits. */
export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}
