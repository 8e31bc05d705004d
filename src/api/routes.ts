import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayContext } from '../gateway/context.js';
import { ROLES, type Role } from '../identity/tokens.js';
import { createTokenCheck, principalOf, requireRole, setPrincipal } from './auth.js';
import { ApiError, cut, toApiError } from './errors.js';
import { ledgerHealth, ledgerRoutes } from './ledger.js';
import { storedUserId } from '../privacy/identity.js';
import { privacyRoutes } from './privacy.js';
import { spendRoutes } from './spend.js';
import { keyRoutes } from './keys.js';
import { parseEventQuery } from './query.js';
import { EVENT_READERS, scopeFilter, visibleEvent } from './scope.js';
import { tokenRoutes } from './tokens.js';

/** Where the API lives. `api` is a reserved name, so every path under it is the API's. */
export const API_PREFIX = '/api';

/** One route of the API, under `/api/v1`, and the roles that may call it. */
export type ApiRoute = {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  roles: readonly Role[];
  handler: RouteHandlerMethod;
};

/**
 * Registers the API under `API_PREFIX`: the routes of `/v1`, and `not_found` for every other
 * path. Every path needs a bearer token (the admin token or a person's), each route a role
 * among its `roles`; every error comes in the API's shape.
 */
export function registerApi(api: FastifyInstance, context: GatewayContext, adminToken: string) {
  const checkToken = createTokenCheck(adminToken, context.store, context.jwt);
  api.addHook('onRequest', async (request) => {
    setPrincipal(request, await checkToken(request.headers.authorization));
  });
  api.setErrorHandler((error, _request, reply) => sendApiError(reply, error, context.logger));

  api.register(
    (v1, _options, done) => {
      registerRoutes(v1, [...v1Routes(context), ...ledgerRoutes(context)]);
      done();
    },
    { prefix: '/v1' },
  );
  // Refused in onRequest, before Fastify would read (or refuse) a body nobody wants.
  api.all('/', { onRequest: refuseUnknownPath }, refuseUnknownPath);
  api.all('/*', { onRequest: refuseUnknownPath }, refuseUnknownPath);
}

/** Whether a request URL is under `API_PREFIX`, so that its errors take the API's shape. */
export function isApiPath(url: string): boolean {
  return url === API_PREFIX || url.startsWith(`${API_PREFIX}/`) || url.startsWith(`${API_PREFIX}?`);
}

/** Answers an error in the API's shape, logging what failed on our side. */
export function sendApiError(reply: FastifyReply, error: unknown, logger: Logger) {
  const apiError = toApiError(error);
  if (apiError.status >= 500) logger.error({ err: error }, 'api request failed');
  return reply.code(apiError.status).headers(apiError.headers).send(apiError.toBody());
}

function v1Routes(context: GatewayContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      url: '/events',
      roles: EVENT_READERS,
      handler: async (request) => {
        const { filter, limit, cursor } = parseEventQuery(request.query as Record<string, unknown>);
        // A user id holding PII is stored pseudonymised: the filter takes the real one.
        if (filter.user && context.privacy)
          filter.user = storedUserId(filter.user, context.privacy);
        const principal = principalOf(request);
        const page = await context.store.listEvents(scopeFilter(principal, filter), limit, cursor);
        const events = page.events.map((event) => visibleEvent(principal, event));
        return { ...page, events: events.filter((event) => event !== null) };
      },
    },
    {
      method: 'GET',
      url: '/events/:id',
      roles: EVENT_READERS,
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const stored = await context.store.getEvent(id);
        // An event of another team is not found, rather than forbidden: its id says nothing.
        const event = stored && visibleEvent(principalOf(request), stored);
        if (!event) throw new ApiError(404, 'not_found', `no event has the id '${cut(id)}'`);
        return event;
      },
    },
    {
      method: 'GET',
      url: '/health',
      roles: ROLES,
      handler: async () => ({
        store: (await context.store.ping()) ? 'ok' : 'unavailable',
        ...(await ledgerHealth(context)),
      }),
    },
    ...spendRoutes(context),
    ...keyRoutes(context),
    ...tokenRoutes(context),
    ...privacyRoutes(context),
  ];
}

/** Registers the routes, and for each path answers the methods it does not take with 405. */
function registerRoutes(scope: FastifyInstance, routes: ApiRoute[]) {
  for (const { roles, ...route } of routes) {
    scope.route({ ...route, preHandler: async (request) => requireRole(request, roles) });
  }

  for (const url of new Set(routes.map((route) => route.url))) {
    const allowed = routes.filter((route) => route.url === url).map((route) => route.method);
    // Fastify answers HEAD itself wherever GET is allowed.
    const allow = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
    const refuse = refuseMethod(allow);
    const method = scope.supportedMethods.filter((name) => !allow.includes(name));
    scope.route({ method, url, onRequest: refuse, handler: refuse });
  }
}

function refuseMethod(allow: string[]) {
  return async function refuseMethod(request: FastifyRequest): Promise<never> {
    const path = cut(request.url.split('?')[0] ?? '');
    const message = `method: expected ${allow.join(' or ')} on ${path}, got ${request.method}`;
    throw new ApiError(405, 'method_not_allowed', message, { allow: allow.join(', ') });
  };
}

async function refuseUnknownPath(request: FastifyRequest): Promise<never> {
  const path = cut(request.url.split('?')[0] ?? '');
  throw new ApiError(404, 'not_found', `no api route ${request.method} ${path}`);
}
