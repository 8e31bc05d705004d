import { z } from 'zod';

/** A relative time: a whole number and a unit, meaning that long before now (`24h`). */
const RELATIVE = /^([0-9]{1,6})([smhdw])$/;

const UNIT_MILLISECONDS: Record<string, number> = {
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  w: 7 * 24 * 60 * 60 * 1000,
};

const DATE = z.iso.date();

// ISO 8601 lets seconds be left out (`T12:00Z`); precision -1 is zod's name for that form.
const DATE_TIME = z.union([
  z.iso.datetime({ offset: true }),
  z.iso.datetime({ offset: true, precision: -1 }),
]);

/** What a time in a query says it takes, for messages. */
export const TIME_EXPECTED =
  'an ISO 8601 time such as 2026-01-01 or 2026-01-01T12:00:00Z, or a relative time such as 24h';

/**
 * The ISO time (UTC, milliseconds) a time in a query stands for, or `null` when it is none:
 * a date means its midnight UTC, a date-time needs its offset, and a relative time counts
 * back from `now`.
 */
export function parseTime(value: string, now = Date.now()): string | null {
  const relative = RELATIVE.exec(value);
  if (relative) {
    const [, amount = '', unit = ''] = relative;
    return new Date(now - Number(amount) * (UNIT_MILLISECONDS[unit] ?? 0)).toISOString();
  }
  if (DATE.safeParse(value).success) return `${value}T00:00:00.000Z`;

  // A `+` left unencoded in a query string arrives as a space (application/x-www-form-urlencoded).
  const dateTime = value.replace(/ ([0-9]{2}:[0-9]{2})$/, '+$1');
  const milliseconds = Date.parse(dateTime);
  if (!DATE_TIME.safeParse(dateTime).success || Number.isNaN(milliseconds)) return null;
  return new Date(milliseconds).toISOString();
}
