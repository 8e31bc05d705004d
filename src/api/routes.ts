import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayContext } from '../gateway/context.js';
import { createTokenCheck } from './auth.js';
import { ApiError } from './errors.js';

const optionalText = z.string().min(1).max(512).optional();
const isoTime = z.iso.datetime({ offset: true }).optional();

const eventQuery = z.strictObject({
  user: optionalText,
  session: optionalText,
  trace: optionalText,
  agent: optionalText,
  app: optionalText,
  team: optionalText,
  provider: optionalText,
  model: optionalText,
  kind: optionalText,
  outcome: optionalText,
  from: isoTime,
  to: isoTime,
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(200).optional(),
});

/** Registers the query API under `/api/v1`; every route needs the admin bearer token. */
export function registerApi(api: FastifyInstance, context: GatewayContext, adminToken: string) {
  const checkToken = createTokenCheck(adminToken);

  api.addHook('onRequest', async (request) => checkToken(request.headers.authorization));
  api.setErrorHandler(
    (error: Error & { statusCode?: number; status?: number }, _request, reply) => {
      if (error instanceof ApiError) return reply.code(error.status).send(error.toBody());
      // Errors of the store that blame the caller (a foreign cursor) carry their own code.
      const status = error.status ?? error.statusCode ?? 500;
      const ownCode = 'code' in error && typeof error.code === 'string' ? error.code : null;
      const code = status >= 500 ? 'internal_error' : (ownCode ?? 'bad_request');
      if (status >= 500) context.logger.error({ err: error }, 'api request failed');
      const message = status >= 500 ? 'internal error' : error.message.toLowerCase();
      return reply.code(status).send({ error: { code, message } });
    },
  );

  api.get('/events', async (request) => {
    const query = request.query as Record<string, unknown>;
    for (const name of ['q', 'policyAction']) {
      // TODO(#7): policy actions become filterable once rules fire; free text needs an index.
      if (name in query)
        throw new ApiError(400, 'unsupported_filter', `${name}: not supported yet`);
    }
    const parsed = eventQuery.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field =
        issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys[0] : '');
      throw new ApiError(400, 'invalid_query', `${field}: ${issue?.message.toLowerCase()}`);
    }
    const { limit, cursor, ...filter } = parsed.data;
    return context.store.listEvents(filter, limit, cursor ?? null);
  });

  api.get<{ Params: { id: string } }>('/events/:id', async (request) => {
    const event = await context.store.getEvent(request.params.id);
    if (!event)
      throw new ApiError(
        404,
        'not_found',
        `no event has the id '${request.params.id.slice(0, 64)}'`,
      );
    return event;
  });

  api.get('/health', async () => ({
    store: (await context.store.ping()) ? 'ok' : 'unavailable',
    // TODO(#6): ledger and exporter backlogs join this once they exist.
  }));

  api.all('/*', async (request) => {
    throw new ApiError(
      404,
      'not_found',
      `no api route ${request.method} ${request.url.split('?')[0]}`,
    );
  });
}
