/** The privacy API: recovering the values an event's content holds encrypted. */
import type { FastifyRequest } from 'fastify';
import type { AccessRecord, AuditEvent } from '../event/types.js';
import type { GatewayContext } from '../gateway/context.js';
import { recoverEncrypted } from '../privacy/recover.js';
import { adminEvent } from './admin-event.js';
import { principalOf } from './auth.js';
import { ApiError, cut } from './errors.js';
import type { ApiRoute } from './routes.js';

/** Decrypting what the gate encrypted is the admin's alone (TODO(#7): keys held by roles). */
const RECOVERERS = ['admin'] as const;

/** The privacy routes, for the API's `/v1` scope. */
export function privacyRoutes(context: GatewayContext): ApiRoute[] {
  return [
    {
      method: 'POST',
      url: '/events/:id/recover',
      roles: RECOVERERS,
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const key = context.privacy?.encryptionKey;
        if (!key) throw new ApiError(503, 'unavailable', 'the privacy gate has no encryption key');
        const stored = await context.store.getEvent(id);
        if (!stored) throw new ApiError(404, 'not_found', `no event has the id '${cut(id)}'`);
        const { value: event, decrypted, undecryptable } = recoverEncrypted(stored, key);
        const principal = principalOf(request);
        const access: AccessRecord = {
          action: 'privacy.recover',
          eventId: stored.id,
          principal: { name: principal.name, role: principal.role, tokenId: principal.tokenId },
          decrypted,
          undecryptable,
        };
        const accessEvent = recordedAccess(access, request);
        context.events.record(accessEvent);
        return { event, decrypted, undecryptable, accessEventId: accessEvent.id };
      },
    },
  ];
}

function recordedAccess(access: AccessRecord, request: FastifyRequest): AuditEvent {
  return { ...adminEvent('access', request), access };
}
