/**
 * The ledger's API: checkpoints, inclusion and consistency proofs, evidence bundles, erasure
 * and legal holds.
 */
import { z } from 'zod';
import type { AuditEvent } from '../event/types.js';
import type { GatewayContext } from '../gateway/context.js';
import { isAdminToken, principalOf } from './auth.js';
import { storedSubject } from '../privacy/identity.js';
import { adminEvent } from './admin-event.js';
import { ApiError, cut } from './errors.js';
import type { ApiRoute } from './routes.js';
import { parseTime, TIME_EXPECTED } from './time.js';

/** Who may read the ledger's proofs and checkpoints: they hold hashes, never content. */
const PROOF_READERS = ['admin', 'auditor', 'operator'] as const;
/** An evidence bundle carries the events' content, as the auditor reads it. */
const BUNDLE_READERS = ['admin', 'auditor'] as const;
/** Erasing a subject and placing or releasing a hold change the record: admins only. */
const RECORD_KEEPERS = ['admin'] as const;

const MAX_CHECKPOINTS = 1000;

const erasureBody = z.strictObject({
  subject: z.string().regex(/^user:.{1,200}$/s, "expected 'user:ID'"),
  reason: z.string().min(1).max(2000),
});

const holdBody = z.strictObject({
  subject: z
    .string()
    .regex(/^(user|team):.{1,200}$/s, "expected 'user:ID' or 'team:ID'")
    .nullable()
    .default(null),
  from: z.string().nullable().default(null),
  to: z.string().nullable().default(null),
  reason: z.string().min(1).max(2000),
});

/** The ledger's routes, for the API's `/v1` scope. */
export function ledgerRoutes(context: GatewayContext): ApiRoute[] {
  const { store } = context;
  return [
    {
      method: 'GET',
      url: '/ledger/checkpoints',
      roles: PROOF_READERS,
      handler: async (request) => {
        const query = request.query as Record<string, unknown>;
        const log = optionalText(query.log);
        const limit = query.limit === undefined ? 100 : wholeNumber('limit', query.limit, 1);
        const checkpoints = await store.listCheckpoints(log, Math.min(limit, MAX_CHECKPOINTS));
        return { checkpoints, nextCursor: null };
      },
    },
    {
      method: 'GET',
      url: '/events/:id/proof',
      roles: PROOF_READERS,
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const proof = await store.eventProof(id);
        if (proof) return proof;
        const event = await store.getEvent(id);
        if (!event) throw new ApiError(404, 'not_found', `no event has the id '${cut(id)}'`);
        throw new ApiError(
          409,
          'not_in_ledger',
          `event '${cut(id)}' is not a leaf of a checkpointed log`,
        );
      },
    },
    {
      method: 'GET',
      url: '/ledger/consistency',
      roles: PROOF_READERS,
      handler: async (request) => {
        const query = request.query as Record<string, unknown>;
        const from = wholeNumber('from', query.from, 1);
        const to = wholeNumber('to', query.to, 1);
        return store.consistencyProof(optionalText(query.log), from, to);
      },
    },
    {
      method: 'GET',
      url: '/ledger/bundle',
      roles: BUNDLE_READERS,
      handler: async (request) => {
        if (principalOf(request).teams !== null) {
          const message =
            'an evidence bundle covers every team; a token limited to teams gets none';
          throw new ApiError(403, 'forbidden', message);
        }
        const query = request.query as Record<string, unknown>;
        return store.evidenceBundle(requiredTime('from', query.from), requiredTime('to', query.to));
      },
    },
    {
      method: 'POST',
      url: '/erasures',
      roles: RECORD_KEEPERS,
      handler: async (request, reply) => {
        const body = parseBody(erasureBody, request.body);
        const principal = principalOf(request);
        // A user id holding PII is stored pseudonymised: the subject is looked up as stored.
        const subject = storedSubject(body.subject, context.privacy);
        const event: AuditEvent = {
          ...adminEvent('erasure', request),
          erasure: {
            subject,
            reason: body.reason,
            eventIds: [],
            refusedBy: [],
            requestedBy: {
              tokenId: principal.tokenId,
              name: isAdminToken(principal) ? 'admin' : principal.name,
              role: principal.role,
            },
          },
        };
        const result = await store.erase(subject, body.reason, event);
        if (result.status === 'refused') {
          const holds = result.refusedBy.join(', ');
          throw new ApiError(
            409,
            'legal_hold',
            `erasure of ${cut(subject)} refused by legal hold ${holds}; recorded as event ${result.eventId}`,
          );
        }
        return reply.code(200).send(result);
      },
    },
    {
      method: 'GET',
      url: '/holds',
      roles: BUNDLE_READERS,
      handler: async (request) => {
        const query = request.query as Record<string, unknown>;
        return { holds: await store.listHolds(query.all === 'true'), nextCursor: null };
      },
    },
    {
      method: 'POST',
      url: '/holds',
      roles: RECORD_KEEPERS,
      handler: async (request, reply) => {
        const body = parseBody(holdBody, request.body);
        const from = body.from === null ? null : requiredTime('from', body.from);
        const to = body.to === null ? null : requiredTime('to', body.to);
        const subject = body.subject && storedSubject(body.subject, context.privacy);
        return reply.code(201).send(await store.createHold({ ...body, subject, from, to }));
      },
    },
    {
      method: 'DELETE',
      url: '/holds/:id',
      roles: RECORD_KEEPERS,
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const hold = await store.releaseHold(id);
        if (!hold) throw new ApiError(404, 'not_found', `no hold has the id '${cut(id)}'`);
        return hold;
      },
    },
  ];
}

/** What the health route adds about recording and the ledger. */
export async function ledgerHealth(context: GatewayContext) {
  const recording = context.recording;
  const logs = await context.store.ledgerState();
  const own = logs.find((log) => log.logId === recording?.logId) ?? null;
  return {
    events: {
      pending: recording?.pendingEvents() ?? 0,
      failed: recording?.failedEvents() ?? 0,
      inFlight: await context.store.journalBacklog(),
    },
    ledger: own
      ? {
          logId: own.logId,
          treeSize: own.treeSize,
          lastCheckpoint: own.lastCheckpoint
            ? { treeSize: own.lastCheckpoint.treeSize, time: own.lastCheckpoint.time }
            : null,
          publishBacklog: recording?.publishBacklog() ?? 0,
        }
      : null,
  };
}

function parseBody<Output>(schema: z.ZodType<Output>, body: unknown): Output {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || 'body';
  throw new ApiError(400, 'invalid_body', `${path}: ${issue?.message ?? 'invalid'}`);
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function wholeNumber(name: string, value: unknown, minimum: number): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    const shown = typeof value === 'string' ? `'${cut(value)}'` : 'nothing';
    throw new ApiError(
      400,
      'invalid_query',
      `${name}: expected a whole number from ${minimum}, got ${shown}`,
    );
  }
  return number;
}

function requiredTime(name: string, value: unknown): string {
  const time = typeof value === 'string' ? parseTime(value) : null;
  if (time === null) {
    const shown = typeof value === 'string' ? `'${cut(value)}'` : 'nothing';
    throw new ApiError(400, 'invalid_query', `${name}: expected ${TIME_EXPECTED}, got ${shown}`);
  }
  return time;
}
