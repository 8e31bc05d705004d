/**
 * List cursors. A cursor names the last event of the page before; callers treat it as opaque,
 * so engines may change what it holds without breaking clients.
 */

const MAX_EVENT_ID_LENGTH = 200;

/** Raised when a cursor was not issued by `encodeCursor` (edited, truncated, from elsewhere). */
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  readonly status = 400;

  constructor() {
    super('cursor is not one this store issued; pass nextCursor from the previous page');
    this.name = 'InvalidCursorError';
  }
}

/** The cursor that continues a list after the event with this id. */
export function encodeCursor(eventId: string): string {
  return Buffer.from(eventId, 'utf8').toString('base64url');
}

/** The event id a cursor continues after; throws `InvalidCursorError` for a foreign cursor. */
export function decodeCursor(cursor: string): string {
  const eventId = Buffer.from(cursor, 'base64url').toString('utf8');
  const fits = eventId.length > 0 && eventId.length <= MAX_EVENT_ID_LENGTH;
  if (!fits || encodeCursor(eventId) !== cursor) {
    throw new InvalidCursorError();
  }
  return eventId;
}
