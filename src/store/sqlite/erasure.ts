/** Erasure of a data subject's content, and the legal holds that can refuse it. */
import type Database from 'better-sqlite3';
import { newEventId } from '../../event/ids.js';
import type { AuditEvent } from '../../event/types.js';
import type { ErasureResult, Hold, NewHold } from '../../ledger/types.js';
import type { EventRecord } from '../types.js';

/** Subjects an erasure or a hold names: `user:ID`; holds also take `team:ID`. */
const SUBJECT = /^(user|team):(.{1,200})$/s;

type HoldRow = {
  id: string;
  subject: string | null;
  from_time: string | null;
  to_time: string | null;
  reason: string;
  created_at: string;
  released_at: string | null;
};

type SubjectEventRow = { id: string; team_id: string | null; time: string };

/** The holds kept in one store. */
export type Holds = {
  create(hold: NewHold): Hold;
  list(includeReleased: boolean): Hold[];
  release(id: string): Hold | null;
  /** Active holds that cover any of these events of `subject`. */
  covering(subject: string, events: SubjectEventRow[]): Hold[];
};

/** A request the store refuses as malformed (answered 400). */
export class InvalidRequestError extends Error {
  readonly code = 'invalid_request';
  readonly status = 400;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** The hold operations over a store's `holds` table. */
export function createHolds(database: Database.Database): Holds {
  const insert = database.prepare<[HoldRow]>(`
    INSERT INTO holds (id, subject, from_time, to_time, reason, created_at, released_at)
    VALUES (@id, @subject, @from_time, @to_time, @reason, @created_at, @released_at)`);
  const selectAll = database.prepare<[], HoldRow>('SELECT * FROM holds ORDER BY id DESC');
  const selectActive = database.prepare<[], HoldRow>(
    'SELECT * FROM holds WHERE released_at IS NULL ORDER BY id',
  );
  const selectOne = database.prepare<[string], HoldRow>('SELECT * FROM holds WHERE id = ?');
  const markReleased = database.prepare<[string, string]>(
    'UPDATE holds SET released_at = ? WHERE id = ? AND released_at IS NULL',
  );

  return {
    create(hold) {
      const row = toHoldRow(hold);
      insert.run(row);
      return fromHoldRow(row);
    },
    list(includeReleased) {
      const rows = selectAll.all();
      return rows.filter((row) => includeReleased || row.released_at === null).map(fromHoldRow);
    },
    release(id) {
      markReleased.run(new Date().toISOString(), id);
      const row = selectOne.get(id);
      return row ? fromHoldRow(row) : null;
    },
    covering(subject, events) {
      return selectActive
        .all()
        .filter((row) => holdCovers(row, subject, events))
        .map(fromHoldRow);
    },
  };
}

/**
 * A hold covers an erasure when it names the subject, or the team of one of the subject's
 * events, and (if it has a time range) one of those events falls in the range. A hold with
 * only a time range covers any subject with an event in it.
 */
function holdCovers(hold: HoldRow, subject: string, events: SubjectEventRow[]): boolean {
  const inRange = (event: SubjectEventRow) =>
    (hold.from_time === null || event.time >= hold.from_time) &&
    (hold.to_time === null || event.time < hold.to_time);
  if (hold.subject === null) return events.some(inRange);
  if (hold.subject === subject)
    return hold.from_time === null && hold.to_time === null ? true : events.some(inRange);
  const team = /^team:(.+)$/s.exec(hold.subject)?.[1];
  return team !== undefined && events.some((event) => event.team_id === team && inRange(event));
}

/**
 * Erases `subject` (`user:ID`) in one transaction: unless a hold covers the subject, deletes
 * the content rows (content and salt) of every event of that user; either way appends
 * `event`, its `erasure` field saying what was erased or which holds refused it.
 */
export function eraseSubject(
  database: Database.Database,
  holds: Holds,
  request: { subject: string; reason: string; event: AuditEvent },
  append: (records: EventRecord[]) => void,
): ErasureResult {
  const match = SUBJECT.exec(request.subject);
  if (!match || match[1] !== 'user') {
    throw new InvalidRequestError(
      `subject: expected 'user:ID', got '${request.subject.slice(0, 64)}'`,
    );
  }
  const userId = match[2] as string;
  const subjectEvents = database.prepare<[string], SubjectEventRow>(
    'SELECT id, team_id, time FROM events WHERE user_id = ? ORDER BY id',
  );
  const deleteContent = database.prepare<[string]>('DELETE FROM event_content WHERE event_id = ?');

  return database
    .transaction((): ErasureResult => {
      const events = subjectEvents.all(userId);
      const refusedBy = holds.covering(request.subject, events).map((hold) => hold.id);
      const erasedEventIds =
        refusedBy.length > 0
          ? []
          : events.filter((event) => deleteContent.run(event.id).changes > 0).map((e) => e.id);
      const event: AuditEvent = {
        ...request.event,
        erasure: {
          subject: request.subject,
          reason: request.reason,
          eventIds: erasedEventIds,
          refusedBy,
          // The API names who asked on the event it hands over.
          ...(request.event.erasure?.requestedBy
            ? { requestedBy: request.event.erasure.requestedBy }
            : {}),
        },
        outcome:
          refusedBy.length > 0
            ? { status: 'rejected', error: `refused by legal hold ${refusedBy.join(', ')}` }
            : request.event.outcome,
      };
      append([{ envelope: event, content: null }]);
      return {
        status: refusedBy.length > 0 ? 'refused' : 'erased',
        eventId: event.id,
        erasedEventIds,
        refusedBy,
      };
    })
    .immediate();
}

function toHoldRow(hold: NewHold): HoldRow {
  if (hold.subject !== null && !SUBJECT.test(hold.subject)) {
    throw new InvalidRequestError(
      `subject: expected 'user:ID' or 'team:ID', got '${hold.subject.slice(0, 64)}'`,
    );
  }
  if (hold.subject === null && hold.from === null && hold.to === null) {
    throw new InvalidRequestError('hold: expected a subject, a time range or both, got neither');
  }
  if (!hold.reason) throw new InvalidRequestError('reason: expected a reason, got none');
  return {
    id: newEventId(),
    subject: hold.subject,
    from_time: hold.from === null ? null : isoTime('from', hold.from),
    to_time: hold.to === null ? null : isoTime('to', hold.to),
    reason: hold.reason,
    created_at: new Date().toISOString(),
    released_at: null,
  };
}

function isoTime(field: string, value: string): string {
  const milliseconds = Date.parse(value);
  if (Number.isNaN(milliseconds)) {
    throw new InvalidRequestError(
      `${field}: expected an ISO 8601 time, got '${value.slice(0, 64)}'`,
    );
  }
  return new Date(milliseconds).toISOString();
}

function fromHoldRow(row: HoldRow): Hold {
  return {
    id: row.id,
    subject: row.subject,
    from: row.from_time,
    to: row.to_time,
    reason: row.reason,
    createdAt: row.created_at,
    releasedAt: row.released_at,
  };
}
