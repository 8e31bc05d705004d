import { splitContent } from '../event/content.js';
import type { AuditEvent } from '../event/types.js';
import type { EventFilter } from '../store/types.js';
import type { Principal } from './auth.js';

/** Roles that read events, and what each reads. */
export const EVENT_READERS = ['admin', 'auditor', 'operator', 'viewer'] as const;

/** The filter a principal's list runs with: a token limited to teams reads only theirs. */
export function scopeFilter(principal: Principal, filter: EventFilter): EventFilter {
  return principal.teams === null ? filter : { ...filter, teams: principal.teams };
}

/**
 * The event as a principal may read it: `null` when it belongs to a team the token does not
 * cover; without its content (prompts, outputs, tool calls, error bodies) for an operator.
 */
export function visibleEvent(principal: Principal, event: AuditEvent): AuditEvent | null {
  const team = event.identity.teamId ?? event.attribution.teamId;
  if (principal.teams !== null && (team === null || !principal.teams.includes(team))) return null;
  // Content is masked before it is stored, so every role that reads it reads it masked.
  return principal.role === 'operator' ? splitContent(event).envelope : event;
}
