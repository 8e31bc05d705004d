import { z } from 'zod';
import type { GatewayContext } from '../gateway/context.js';
import type { KeyBindings } from '../identity/keys.js';
import { ApiError, cut } from './errors.js';
import type { ApiRoute } from './routes.js';
import { parseTime } from './time.js';
import { parseBody, parsePageQuery } from './validate.js';

const name = z.string().trim().min(1).max(200);

const keyRequest = z.strictObject({
  teamId: name,
  appId: name,
  agentId: name.optional(),
  actorType: z.enum(['human', 'agent', 'service']).optional(),
  project: name.optional(),
  businessUnit: name.optional(),
  models: z.array(name).min(1).max(100).optional(),
  expiresAt: z
    .string()
    .refine((value) => !/^[0-9]+[smhdw]$/.test(value) && parseTime(value) !== null, {
      message: 'expected an ISO 8601 date or time such as 2027-01-01',
    })
    .optional(),
});

/** `GET, POST /keys` and `DELETE /keys/:id`: virtual keys; a new key's text is shown once. */
export function keyRoutes(context: GatewayContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      url: '/keys',
      roles: ['admin', 'auditor', 'operator'],
      handler: async (request) => {
        const { limit, cursor } = parsePageQuery(request.query, 100);
        return context.keys.list(limit, cursor);
      },
    },
    {
      method: 'POST',
      url: '/keys',
      roles: ['admin'],
      handler: async (request, reply) => {
        const bindings = keyBindings(parseBody(keyRequest, request.body), new Date());
        const { key, record } = await context.keys.create(bindings);
        context.logger.info({ keyId: record.id, teamId: record.teamId }, 'virtual key created');
        return reply.code(201).send({ key, ...record });
      },
    },
    {
      method: 'DELETE',
      url: '/keys/:id',
      roles: ['admin'],
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const revoked = await context.keys.revoke(id);
        if (!revoked) throw new ApiError(404, 'not_found', `no key has the id '${cut(id)}'`);
        context.logger.info({ keyId: id }, 'virtual key revoked');
        return revoked;
      },
    },
  ];
}

function keyBindings(body: z.output<typeof keyRequest>, now: Date): KeyBindings {
  const expiresAt = body.expiresAt === undefined ? null : parseTime(body.expiresAt);
  if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) {
    const message = `expiresAt: expected a time after now (${now.toISOString()}), got ${expiresAt}`;
    throw new ApiError(400, 'invalid_body', message);
  }
  return {
    teamId: body.teamId,
    appId: body.appId,
    agentId: body.agentId ?? null,
    actorType: body.actorType ?? null,
    project: body.project ?? null,
    businessUnit: body.businessUnit ?? null,
    models: body.models ?? null,
    expiresAt,
  };
}
