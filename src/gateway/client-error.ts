import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { isApiPath } from '../api/routes.js';
import { applyCapture } from '../event/capture.js';
import { emptyResponse } from '../event/records.js';
import { attributionFromRequest, identityFromRequest, redactQuery } from '../identity/headers.js';
import { familyFor } from '../providers/registry.js';
import { errorBody as openaiErrorBody } from '../providers/openai-chat/errors.js';
import { traceFromHeader } from '../tracing/traceparent.js';
import { Call } from './call.js';
import type { GatewayContext } from './context.js';
import { routeTarget } from './routing.js';

/** What Node's parser error becomes: the status, a stable code and a message naming it. */
type ParserRefusal = { status: number; code: string; message: string };

/**
 * Connections whose current request is already a call: a parser error in its body (a bad
 * chunk, a body cut short) ends that call, which records itself, so it must not be recorded
 * twice.
 */
const callsInFlight = new WeakSet<Socket>();

/** Marks a connection as carrying a call until the returned function is called. */
export function trackCall(socket: Socket): () => void {
  callsInFlight.add(socket);
  return () => callsInFlight.delete(socket);
}

/** Node's default limit on the request line and headers together (`--max-http-header-size`). */
const HEADER_LIMIT_BYTES = 16_384;

/**
 * Answers a request that Node's HTTP parser refused before any route could run (headers over
 * the limit, a bad Content-Length, a line that is not HTTP) and, on a provider route,
 * records it like any other refused call. Only the request line is read from the bytes the
 * parser saw: the headers may hold keys, and none of them is kept.
 */
export function handleClientError(context: GatewayContext, error: Error, socket: Socket): void {
  const code = (error as NodeJS.ErrnoException).code;
  // A reset connection, or one already closed, has nobody left to answer.
  if (code === 'ECONNRESET' || socket.destroyed) return;
  // The call already answering on this connection records how it ended (the body aborted).
  if (callsInFlight.has(socket)) return void socket.destroy();

  const refusal = parserRefusal(code);
  const { method, url } = requestLine((error as { rawPacket?: unknown }).rawPacket);
  if (isApiPath(url)) {
    const body = { error: { code: 'malformed_request', message: 'the request is not valid HTTP' } };
    return answer(socket, refusal.status, body, {});
  }

  const call = recordedCall(context, socket, method, url);
  const provider = context.providers.get(call.request.provider);
  const shape = (provider && familyFor(provider.type)?.errorBody) || openaiErrorBody;
  const body = shape(refusal.status, refusal.code, refusal.message);
  call.outcome = { status: 'rejected', error: refusal.message };
  call.response = { ...emptyResponse(refusal.status, false), error: body };
  answer(socket, refusal.status, body, { 'x-auditgate-event-id': call.id });
  context.events.record(applyCapture(call.toEvent(), context.config.capture));
}

function parserRefusal(code: string | undefined): ParserRefusal {
  if (code === 'HPE_HEADER_OVERFLOW') {
    const message = `the request headers exceed the limit of ${HEADER_LIMIT_BYTES} bytes`;
    return { status: 431, code: 'headers_too_large', message };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const message = 'the request was not received in time';
    return { status: 408, code: 'request_timeout', message };
  }
  const message = `the request is not valid HTTP${code ? ` (${code})` : ''}`;
  return { status: 400, code: 'malformed_request', message };
}

/** The method and target of the first line, when it looks like one; else `GET /`. */
function requestLine(rawPacket: unknown): { method: string; url: string } {
  if (!Buffer.isBuffer(rawPacket)) return { method: 'GET', url: '/' };
  const firstLine = rawPacket.subarray(0, 8192).toString('latin1').split('\r\n', 1)[0] ?? '';
  const match = /^([A-Z]{1,16}) (\/\S*) HTTP\/\d\.\d$/.exec(firstLine);
  return match ? { method: match[1] ?? 'GET', url: match[2] ?? '/' } : { method: 'GET', url: '/' };
}

function recordedCall(context: GatewayContext, socket: Socket, method: string, url: string) {
  const identity = identityFromRequest({
    headers: {},
    key: null,
    bodyUserId: null,
    clientAddress: socket.remoteAddress ?? null,
  });
  const call = new Call(
    traceFromHeader(undefined),
    identity,
    attributionFromRequest({}, identity),
    method,
    url,
  );
  const target = routeTarget(url);
  call.request.provider = target.providerName;
  call.request.path = redactQuery(target.providerPath).path;
  return call;
}

function answer(
  socket: Socket,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  if (socket.writable) socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  else socket.destroy();
}
