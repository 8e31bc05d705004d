import { z } from 'zod';
import { newEventId } from '../event/ids.js';
import type { GatewayContext } from '../gateway/context.js';
import { generateToken, ROLES, type ApiToken } from '../identity/tokens.js';
import { principalOf } from './auth.js';
import { ApiError, cut } from './errors.js';
import type { ApiRoute } from './routes.js';
import { parseBody, parsePageQuery } from './validate.js';

const name = z.string().trim().min(1).max(200);

const tokenRequest = z.strictObject({
  name,
  role: z.enum(ROLES),
  teams: z.array(name).min(1).max(100).optional(),
});

/**
 * `GET, POST /tokens` and `DELETE /tokens/:id`: people's API tokens and their roles; a new
 * token's text is shown once. The admin token of the data folder is not among them and cannot
 * be revoked here.
 */
export function tokenRoutes(context: GatewayContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      url: '/tokens',
      roles: ['admin', 'auditor'],
      handler: async (request) => {
        const { limit, cursor } = parsePageQuery(request.query, 100);
        return context.store.listTokens(limit, cursor);
      },
    },
    {
      method: 'POST',
      url: '/tokens',
      roles: ['admin'],
      handler: async (request, reply) => {
        const body = parseBody(tokenRequest, request.body);
        if (body.role === 'viewer' && !body.teams) {
          throw new ApiError(400, 'invalid_body', 'teams: a viewer reads its own teams; name them');
        }
        if (body.role === 'admin' && body.teams) {
          throw new ApiError(400, 'invalid_body', 'teams: an admin is never limited to teams');
        }
        const { token, secretHash } = generateToken();
        const record: ApiToken = {
          id: newEventId(),
          name: body.name,
          role: body.role,
          teams: body.teams ?? null,
          createdAt: new Date().toISOString(),
          revokedAt: null,
        };
        await context.store.createToken(record, secretHash);
        const by = principalOf(request).tokenId ?? 'admin token';
        context.logger.info({ tokenId: record.id, role: record.role, by }, 'api token created');
        return reply.code(201).send({ token, ...record });
      },
    },
    {
      method: 'DELETE',
      url: '/tokens/:id',
      roles: ['admin'],
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const revoked = await context.store.revokeToken(id, new Date().toISOString());
        if (!revoked) throw new ApiError(404, 'not_found', `no token has the id '${cut(id)}'`);
        context.logger.info({ tokenId: id }, 'api token revoked');
        return revoked;
      },
    },
  ];
}
