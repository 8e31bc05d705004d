import Fastify, { LogController, type FastifyReply } from 'fastify';
import { API_PREFIX, isApiPath, registerApi, sendApiError } from '../api/routes.js';
import { handleClientError } from './client-error.js';
import type { GatewayContext } from './context.js';
import { createDualProtocolServer } from './protocols.js';
import { handleProviderRequest } from './proxy.js';

/**
 * The HTTP server: the query API and health routes, and every other path as a provider
 * route. Provider routes take the raw request and response, so bodies pass through as bytes.
 */
export function createServer(context: GatewayContext, adminToken: string) {
  const app = Fastify({
    loggerInstance: context.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    // Provider paths carry colons (`:generateContent`) and long model names.
    routerOptions: { maxParamLength: 2048 },
    // HTTP/1.1 and cleartext HTTP/2 on one port (the AWS SDK for JavaScript speaks HTTP/2).
    serverFactory: (handler) => createDualProtocolServer(handler),
    // Errors the router raises before any route runs, such as a bad `%` escape in the path.
    // On a provider path the proxy answers it, in the provider's shape, and records it.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      if (isApiPath(request.url)) return sendApiError(reply, error, context.logger);
      proxyRaw(reply);
    },
    // Requests Node's own parser refuses (oversized headers, a bad Content-Length) never
    // reach a route; they are answered and recorded here.
    clientErrorHandler: (error, socket) => handleClientError(context, error, socket),
  });

  const proxyRaw = (reply: FastifyReply) => {
    reply.hijack();
    void handleProviderRequest(context, reply.request.raw, reply.raw);
  };

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await context.store.ping();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'store unavailable' });
  });
  app.register(
    (api, _options, done) => {
      registerApi(api, context, adminToken);
      done();
    },
    { prefix: API_PREFIX },
  );

  app.register((proxy, _options, done) => {
    // Provider routes read the body themselves, byte for byte, with their own size limit.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null, undefined));
    proxy.all('/*', (_request, reply) => proxyRaw(reply));
    proxy.all('/', (_request, reply) => proxyRaw(reply));
    done();
  });
  return app;
}
