import Fastify, { LogController } from 'fastify';
import { registerApi } from '../api/routes.js';
import type { GatewayContext } from './context.js';
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
  });

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
    { prefix: '/api/v1' },
  );

  app.register((proxy, _options, done) => {
    // Provider routes read the body themselves, byte for byte, with their own size limit.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null, undefined));
    proxy.all('/*', (request, reply) => {
      reply.hijack();
      void handleProviderRequest(context, request.raw, reply.raw);
    });
    proxy.all('/', (request, reply) => {
      reply.hijack();
      void handleProviderRequest(context, request.raw, reply.raw);
    });
    done();
  });
  return app;
}
