/**
 * HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge, RFC 9113 section 3.3) on one port.
 * The AWS SDK for JavaScript speaks HTTP/2 to Bedrock Runtime by default, and sends an
 * `http://` endpoint the HTTP/2 connection preface straight away; every other client speaks
 * HTTP/1.1. Each connection's first bytes tell which: the preface begins `PRI * HTTP/2.0`,
 * which no HTTP/1.1 request line does. Both protocols reach the same request handler through
 * Node's own servers (`node:http2` gives HTTP/1-style request and response objects).
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { Socket } from 'node:net';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** The start of the HTTP/2 connection preface: enough to tell it from any request line. */
const PREFACE_START = Buffer.from('PRI * HTTP/2.0');

/** Fastify's own defaults for the servers it makes; kept for the one made here. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** How long a new connection may stay silent before it is closed (as Node's headersTimeout). */
const FIRST_BYTES_TIMEOUT_MS = 60_000;

/**
 * An HTTP server that also serves cleartext HTTP/2 connections. Closing it closes the HTTP/2
 * sessions too (gracefully: their open streams finish).
 */
export function createDualProtocolServer(handler: Handler): http.Server {
  const server = http.createServer(handler);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.requestTimeout = 0;
  const h2 = http2.createServer({}, handler as unknown as Parameters<typeof http2.createServer>[1]);
  const sessions = new Set<http2.Http2Session>();
  h2.on('session', (session) => {
    sessions.add(session);
    // As an idle HTTP/1.1 keep-alive connection is closed, so is an idle HTTP/2 session.
    session.setTimeout(KEEP_ALIVE_TIMEOUT_MS, () => session.close());
    session.on('close', () => sessions.delete(session));
  });

  const [serveHttp1] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!serveHttp1) throw new Error('node:http server has no connection listener');
  server.removeAllListeners('connection');
  // Sockets that have sent nothing yet belong to neither server, so neither's timeouts or
  // close would reach them: they get a timeout of their own, and close ends them.
  const undecided = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    undecided.add(socket);
    const timer = setTimeout(() => socket.destroy(), FIRST_BYTES_TIMEOUT_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      undecided.delete(socket);
    });
    // A connection's first chunk may be a single byte (a slow client, or one that writes as
    // it goes), and `P` starts both the preface and `POST`: bytes gather until they match
    // the preface's start in full or stop matching it.
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const protocol = protocolOf(received);
      if (protocol === null) return;
      socket.off('data', onData);
      clearTimeout(timer);
      undecided.delete(socket);
      socket.pause();
      socket.unshift(received);
      if (protocol === 'http2') {
        h2.emit('connection', socket);
      } else {
        serveHttp1.call(server, socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    for (const session of sessions) session.close();
    for (const socket of undecided) socket.destroy();
    return close(callback);
  };
  return server;
}

/**
 * The protocol a connection's first bytes speak: HTTP/2 once they hold the preface's start,
 * HTTP/1.1 as soon as they differ from it; `null` while too few have come to tell.
 */
function protocolOf(bytes: Buffer): 'http1' | 'http2' | null {
  const length = Math.min(bytes.length, PREFACE_START.length);
  if (!bytes.subarray(0, length).equals(PREFACE_START.subarray(0, length))) return 'http1';
  return length === PREFACE_START.length ? 'http2' : null;
}
