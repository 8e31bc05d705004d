import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  attributionFromRequest,
  callerKey,
  identityFromRequest,
  keyFingerprint,
  redactQuery,
  type CallerKey,
} from '../identity/headers.js';
import { refusalMessage } from '../cost/alerts.js';
import { applyCapture } from '../event/capture.js';
import type { EventContent } from '../event/content.js';
import { checkDetection } from '../privacy/protect.js';
import { parseJson } from '../providers/json.js';
import { violationEvents } from '../policy/events.js';
import { familyFor } from '../providers/registry.js';
import type { ProviderApi } from '../providers/types.js';
import { traceFromHeader } from '../tracing/traceparent.js';
import { authenticateCall, refuseModel } from './authenticate.js';
import { readRequestBody } from './body.js';
import { Call } from './call.js';
import { trackCall } from './client-error.js';
import type { GatewayContext } from './context.js';
import { forwardCall } from './forward.js';
import { enforceBefore } from './policy.js';
import { rejectCall } from './reject.js';
import { routeTarget, type Provider, type RouteTarget } from './routing.js';

/**
 * Handles one request to a provider route, from receipt to the recorded event. Every path
 * through here ends in `context.events.record`, whatever happens to the call.
 */
export async function handleProviderRequest(
  context: GatewayContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const target = routeTarget(request.url ?? '/');
  const recordable = redactQuery(target.providerPath);
  const key = callerKey(request.headers) ?? queryKey(recordable.key);
  const call = startCall(request, key);
  call.request.provider = target.providerName;
  call.request.path = recordable.path;
  response.setHeader('x-auditgate-event-id', call.id);
  const untrack = trackCall(request.socket);

  try {
    await proxyCall(context, { call, key, target }, request, response);
  } catch (error) {
    context.logger.error({ err: error, eventId: call.id }, 'proxied call failed in the gateway');
    if (!response.headersSent) {
      rejectCall(call, response, { status: 500, code: 'gateway_error', message: 'internal error' });
    } else response.destroy();
    call.outcome = { status: 'upstream_error', error: 'the gateway failed while relaying' };
  } finally {
    untrack();
    const finished = call.toEvent();
    context.pricing.price(finished);
    context.budgets.settle(finished);
    const event = applyCapture(finished, context.config.capture);
    context.events.record(event);
    for (const violation of violationEvents(event)) context.events.record(violation);
    context.logger.debug(
      {
        eventId: event.id,
        provider: event.request?.provider,
        httpStatus: event.response?.httpStatus,
        outcome: event.outcome.status,
        latencyMs: event.timing.latencyMs,
      },
      'call recorded',
    );
  }
}

function startCall(request: IncomingMessage, key: CallerKey | null): Call {
  const headers = request.headers;
  const identity = identityFromRequest({
    headers,
    key,
    bodyUserId: null,
    clientAddress: request.socket.remoteAddress ?? null,
  });
  const trace = traceFromHeader(single(headers.traceparent));
  const url = request.url ?? '/';
  return new Call(
    trace,
    identity,
    attributionFromRequest(headers, identity, headerValues(request, 'x-auditgate-tags')),
    request.method ?? 'GET',
    url,
  );
}

/** A call as received: who sent it with which key, and where it goes. */
type Received = { call: Call; key: CallerKey | null; target: RouteTarget };

async function proxyCall(
  context: GatewayContext,
  { call, key, target }: Received,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const provider = context.providers.get(target.providerName);
  if (!provider) {
    const message = `no provider is named '${target.providerName.slice(0, 64)}'`;
    return rejectCall(call, response, { status: 404, code: 'unknown_provider', message });
  }

  if (hasDotSegment(target.providerPath)) {
    // `..` would let a caller climb out of the provider's base URL prefix.
    const message = 'the path may not contain . or .. segments';
    return rejectCall(call, response, { status: 400, code: 'invalid_path', message }, provider);
  }
  const api = describeTarget(call, provider, request.method ?? 'GET', target.providerPath);
  const authentication = await authenticateCall(context, call, key, request.headers);
  if ('refusal' in authentication) {
    return rejectCall(call, response, authentication.refusal, provider);
  }

  if (context.config.auth.requireKey && !isAuthenticated(call)) {
    const message = 'this gateway requires a virtual key or a verified token';
    return rejectCall(call, response, { status: 401, code: 'invalid_api_key', message }, provider);
  }

  const body = await readRequestBody(request, context.config.limits.maxBodyBytes);
  if (body.kind !== 'complete') {
    call.request.bodyBytes = body.bytesSeen;
    if (body.kind === 'aborted') {
      call.outcome = { status: 'client_aborted', error: 'the client closed the request body' };
      return;
    }
    const message = `request body exceeds the limit of ${context.config.limits.maxBodyBytes} bytes`;
    response.setHeader('connection', 'close');
    return rejectCall(
      call,
      response,
      { status: 413, code: 'request_too_large', message },
      provider,
    );
  }
  call.request.bodyBytes = body.bytes.length;
  call.request.bodySha256 = body.sha256;

  if (api && !readParsedRequest(call, api, body.bytes)) {
    const message = body.bytes.length ? 'request body is not valid JSON' : 'request body is empty';
    return rejectCall(call, response, { status: 400, code: 'invalid_json', message }, provider);
  }
  if (api && refuseUndetectable(context, call, response, provider)) return;
  const modelRefusal = refuseModel(call, authentication.key);
  if (modelRefusal) return rejectCall(call, response, modelRefusal, provider);
  if (enforceBefore(context, call, response, provider)) return;
  const refusal = await context.budgets.admit(call, call.request);
  if (refusal) {
    // 429, as providers answer a spent quota; the message names the budget and the event.
    const message = refusalMessage(refusal, call.id);
    rejectCall(call, response, { status: 429, code: 'budget_exceeded', message }, provider);
    call.outcome = { status: 'blocked', error: message };
    return;
  }
  if (call.request.stream) {
    call.meter = context.budgets.meter(call, call.request, () => call.toEvent());
  }
  const path = target.providerPath;
  await forwardCall(context, { call, provider, api, request, response, path, body: body.bytes });
}

/**
 * With `privacy.failureMode: refuse`, scans the request's content before it is forwarded and
 * refuses the call (422, not retried by the SDKs) if detection throws. The message names the
 * event, never the content; the event is stored fully redacted with `privacy.failed` set.
 */
function refuseUndetectable(
  context: GatewayContext,
  call: Call,
  response: ServerResponse,
  provider: Provider,
): boolean {
  if (context.config.privacy.failureMode !== 'refuse' || !context.privacy) return false;
  const { system, messages, tools, retrieval, parameters } = call.request;
  const content: EventContent = { request: { system, messages, tools, retrieval }, response: null };
  try {
    checkDetection(content, context.privacy, parameters);
    return false;
  } catch (error) {
    // The error may quote the text it failed on: only its class is logged.
    const name = error instanceof Error ? error.name : typeof error;
    context.logger.warn(
      { eventId: call.id, error: name },
      'privacy detection failed; call refused',
    );
    const message = `privacy detection failed on the request's content; refused as configured (privacy.failureMode: refuse); recorded as event ${call.id}`;
    rejectCall(call, response, { status: 422, code: 'privacy_check_failed', message }, provider);
    return true;
  }
}

/** Records which provider and endpoint the call is for; returns the endpoint's parser. */
function describeTarget(
  call: Call,
  provider: Provider,
  method: string,
  path: string,
): ProviderApi | null {
  const api = familyFor(provider.type)?.apiFor(method, path) ?? null;
  call.kind = api ? 'llm.call' : 'http.call';
  call.request.providerType = provider.type;
  call.request.endpoint = api?.endpoint ?? 'other';
  return api;
}

/** Reads the body's parsed copy into the call; false when the body is not JSON. */
function readParsedRequest(call: Call, api: ProviderApi, bytes: Buffer): boolean {
  const json = parseJson(bytes.toString('utf8'));
  if (json === undefined) return false;

  const parsed = api.parseRequest(json, call.request.path);
  Object.assign(call.request, {
    model: parsed.model,
    parameters: parsed.parameters,
    stream: parsed.stream,
    system: parsed.system,
    messages: parsed.messages,
    tools: parsed.tools,
    retrieval: parsed.retrieval,
    previousResponseId: parsed.previousResponseId,
    inputCount: parsed.inputCount ?? null,
    deployment: parsed.deployment ?? null,
  });
  if (!call.identity.userId && parsed.userId) {
    call.identity = { ...call.identity, userId: parsed.userId };
    call.attribution = { ...call.attribution, userId: parsed.userId };
  }
  return true;
}

/** Whether the gateway itself authenticated the caller (a virtual key or a verified JWT). */
function isAuthenticated(call: Call): boolean {
  return call.identity.authMethod === 'virtual_key' || call.identity.authMethod === 'jwt';
}

function hasDotSegment(path: string): boolean {
  const pathname = path.split('?', 1)[0] ?? '';
  return pathname.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

/** A credential sent in the query string (Gemini's `?key=`), as a caller key. */
function queryKey(key: string | null): CallerKey | null {
  return key ? { header: 'query', key, fingerprint: keyFingerprint(key) } : null;
}

/**
 * Every value of a header, one per time it was sent, from the raw pairs: HTTP/2 requests
 * have no `headersDistinct`, and their joined `headers` value would run two headers together.
 */
function headerValues(request: IncomingMessage, name: string): string[] {
  const values: string[] = [];
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    if (raw[index]?.toLowerCase() === name) values.push(raw[index + 1] ?? '');
  }
  return values;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
