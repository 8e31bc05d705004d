import type { AuditEvent } from '../event/types.js';

type EventsOptions = { url: string; token?: string; limit: number; json?: boolean; id?: string };

/** `auditgate events`: reads events from a running gateway's API. */
export async function listEvents(options: EventsOptions): Promise<void> {
  if (!options.token) {
    throw new Error('an API token is needed: --token or AUDITGATE_ADMIN_TOKEN');
  }
  const base = options.url.replace(/\/+$/, '');
  const path = options.id
    ? `/api/v1/events/${encodeURIComponent(options.id)}`
    : `/api/v1/events?limit=${options.limit}`;
  const response = await fetch(base + path, {
    headers: { authorization: `Bearer ${options.token}` },
  });
  const body = (await response.json()) as { events?: AuditEvent[]; error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `the API answered ${response.status}`);

  if (options.id) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  for (const event of body.events ?? []) {
    console.log(options.json ? JSON.stringify(event) : summarise(event));
  }
}

function summarise(event: AuditEvent): string {
  const model = event.response?.model ?? event.request?.model ?? '-';
  const tokens = event.usage
    ? `${event.usage.inputTokens ?? '-'} in / ${event.usage.outputTokens ?? '-'} out`
    : '';
  const status = event.response?.httpStatus ?? '-';
  return [event.time, event.id, event.kind, event.request?.provider ?? '-', model, status]
    .concat([event.outcome.status, tokens])
    .join('  ');
}
