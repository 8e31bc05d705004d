/**
 * The benchmark's helper processes (the mock upstream and the gateway) and the small IPC
 * protocol the load generator uses to reach them. Each helper runs in its own process so its
 * CPU does not share an event loop with the load generator's clock.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** What the load generator can ask a helper between measurements. */
export type Command = 'cpu' | 'flush' | 'stop';

/** A helper's answer to one command. */
export type Reply =
  | { command: 'cpu'; cpuMicroseconds: number }
  | { command: 'flush'; milliseconds: number }
  | { command: 'stop' };

/** The first message a helper sends, once it is listening. */
export type Ready = { ready: true; url: string; databasePath?: string };

/** A running helper process. */
export type Helper = {
  ready: Ready;
  ask<C extends Command>(command: C): Promise<Extract<Reply, { command: C }>>;
  /** Asks the helper to close, then waits for its process to exit. */
  stop(): Promise<void>;
};

const STARTUP_TIMEOUT_MS = 30_000;

/** Forks `bench/<file>` under tsx, with any extra Node options, and waits until it is ready. */
export async function startHelper(
  file: string,
  parameters: string[] = [],
  nodeOptions: string[] = [],
): Promise<Helper> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const execArgv = ['--import', 'tsx', ...nodeOptions];
  const child = fork(path, parameters, { execArgv, stdio: 'inherit' });
  const ready = (await firstMessage(child, STARTUP_TIMEOUT_MS)) as Ready;

  return {
    ready,
    async ask(command) {
      child.send(command);
      const reply = (await firstMessage(child, STARTUP_TIMEOUT_MS)) as Reply;
      if (reply.command !== command)
        throw new Error(`expected a ${command} reply, got ${reply.command}`);
      return reply as Extract<Reply, { command: typeof command }>;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send('stop');
      await exited;
    },
  };
}

function firstMessage(child: ChildProcess, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no message in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: unknown) => finish(null, message);
    const onExit = (code: number | null) => finish(new Error(`helper exited with code ${code}`));
    function finish(error: Error | null, message?: unknown) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Inside a helper: announces readiness and answers commands. `stop` closes via `close` and
 * exits; losing the parent (the IPC channel) exits too, so no helper outlives a crashed run.
 */
export function serveCommands(
  ready: Ready,
  handlers: { flush?: () => Promise<number>; close: () => Promise<void> },
): void {
  const send = (message: Ready | Reply) => process.send?.(message);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command: Command) => {
    void answer(command).then(send, (error: unknown) => {
      console.error(`bench helper failed on ${command}:`, error);
      process.exit(1);
    });
  });
  send(ready);

  async function answer(command: Command): Promise<Reply> {
    if (command === 'cpu') {
      const usage = process.cpuUsage();
      return { command, cpuMicroseconds: usage.user + usage.system };
    }
    if (command === 'flush') return { command, milliseconds: (await handlers.flush?.()) ?? 0 };
    await handlers.close();
    // Exit only after the reply has left, or the parent waits for a message that never comes.
    setImmediate(() => process.exit(0));
    return { command };
  }
}
