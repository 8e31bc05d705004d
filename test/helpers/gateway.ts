import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { AuditEvent } from '../../src/event/types.js';
import { startGateway, type Gateway, type StartOptions } from '../../src/gateway/start.js';

/** A gateway on a free port with its own temporary data folder, for one test file. */
export type TestGateway = Gateway & {
  /** Reads one event through the API once it is recorded (waits up to 3 s). */
  event(id: string | null): Promise<AuditEvent>;
  /** GET on the API with the admin token; returns status and parsed body. */
  api(path: string): Promise<{ status: number; body: unknown }>;
  /** Stops the gateway and removes its data folder. */
  stop(): Promise<void>;
};

/**
 * Starts a gateway for tests. By default every provider answers from the simulator with no
 * pacing delay; pass `simulate: false` and `configFile`/`environment` to point elsewhere.
 */
export async function startTestGateway(options: Partial<StartOptions> = {}): Promise<TestGateway> {
  const dataFolder = options.dataFolder ?? mkdtempSync(join(tmpdir(), 'auditgate-test-'));
  const gateway = await startGateway({
    port: 0,
    simulate: { firstChunkDelayMs: 0, chunkDelayMs: 0 },
    environment: {},
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...options,
    dataFolder,
  });

  async function api(path: string) {
    const response = await fetch(gateway.url + path, {
      headers: { authorization: `Bearer ${gateway.adminToken}` },
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  return {
    ...gateway,
    api,
    async event(id) {
      if (!id) throw new Error('the response carried no x-auditgate-event-id header');
      // The gateway records a call just after its last byte leaves, so the client can be a
      // moment ahead of the record: retry briefly rather than race it.
      const deadline = Date.now() + 3000;
      for (;;) {
        await gateway.flush();
        const { status, body } = await api(`/api/v1/events/${id}`);
        if (status === 200) return body as AuditEvent;
        if (Date.now() > deadline) throw new Error(`event ${id} not found (${status})`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      await gateway.close();
      if (!options.dataFolder) rmSync(dataFolder, { recursive: true, force: true });
    },
  };
}
