import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ProviderType } from '../event/types.js';
import { requestStreamUsage } from '../providers/openai-chat/index.js';
import type { ProviderApi } from '../providers/types.js';
import type { Call } from './call.js';
import type { GatewayContext } from './context.js';
import { AUTH_HEADERS, upstreamHeaders } from './headers.js';
import { rejectCall } from './reject.js';
import { relayResponse } from './relay.js';
import type { Provider } from './routing.js';
import { classifyUpstreamError } from './upstream.js';

/** A call that passed the gateway's checks, ready to go to its provider. */
export type ForwardInput = {
  call: Call;
  provider: Provider;
  api: ProviderApi | null;
  request: IncomingMessage;
  response: ServerResponse;
  /** The provider's own path and query, as sent (the record keeps it with keys redacted). */
  path: string;
  body: Buffer;
};

/** Journals the call, sends it upstream and relays the answer. */
export async function forwardCall(context: GatewayContext, input: ForwardInput): Promise<void> {
  const { call, provider, response } = input;
  const body = outgoingBody(input);

  if (!(await journalCall(context, call)) && context.config.durability === 'strict') {
    const message = 'the audit journal cannot be written, so the call is refused';
    const refusal = { status: 503, code: 'audit_unavailable', message };
    return rejectCall(call, response, refusal, provider);
  }

  const abort = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  // The client may have gone while the call was being journaled.
  if (response.destroyed) abort.abort();

  call.upstreamStart = call.elapsed();
  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await context.upstream.request({
      origin: provider.origin,
      path: provider.pathPrefix + input.path,
      method: input.request.method as Dispatcher.HttpMethod,
      headers: headersFor(input),
      body: body.length > 0 ? body : null,
      signal: abort.signal,
    });
  } catch (error) {
    call.upstreamEnd = call.elapsed();
    if (abort.signal.aborted) {
      call.outcome = { status: 'client_aborted', error: 'the client disconnected while waiting' };
      return;
    }
    const failure = classifyUpstreamError(error, false);
    const refusal = { status: failure.httpStatus, code: failure.status, message: failure.message };
    rejectCall(call, response, refusal, provider);
    call.outcome = { status: failure.status, error: failure.message };
    return;
  }
  await relayResponse(input, upstream, abort.signal);
}

/** The body as it goes upstream: byte for byte, unless a listed rewrite applies. */
function outgoingBody(input: ForwardInput): Buffer {
  const { call, provider, api, body } = input;
  if (!api || api.endpoint !== 'chat.completions' || !provider.injectStreamUsage) return body;
  if (!call.request.stream) return body;

  const rewritten = requestStreamUsage(body);
  if (!rewritten) return body;
  call.request.rewrites.push(rewritten.rewrite);
  return rewritten.body;
}

async function journalCall(context: GatewayContext, call: Call): Promise<boolean> {
  try {
    await context.store.journal({
      eventId: call.id,
      time: call.receivedAt.toISOString(),
      method: call.request.method,
      path: call.request.path,
      provider: call.request.provider,
      model: call.request.model,
      keyFingerprint: call.identity.keyFingerprint,
      clientAddress: call.identity.clientAddress,
      ...call.trace,
    });
    return true;
  } catch (error) {
    context.logger.error({ err: error, eventId: call.id }, 'journal write failed');
    return false;
  }
}

/** The caller's headers for the upstream, with the gateway's key when the caller sent none. */
function headersFor(input: ForwardInput): Record<string, string | string[]> {
  const { provider, request, call } = input;
  // A caller's own provider key goes through; any other caller is served the gateway's key.
  const useGatewayKey = provider.apiKey !== null && call.identity.authMethod !== 'provider_key';
  const headers = upstreamHeaders(request.headers, {
    keep: provider.simulated ? ['x-auditgate-simulate'] : [],
    drop: useGatewayKey ? AUTH_HEADERS : [],
  });
  if (useGatewayKey && provider.apiKey)
    Object.assign(headers, authHeader(provider.type, provider.apiKey));
  return headers;
}

function authHeader(type: ProviderType, key: string): Record<string, string> {
  switch (type) {
    case 'anthropic':
      return { 'x-api-key': key };
    case 'gemini':
      return { 'x-goog-api-key': key };
    case 'azure':
      return { 'api-key': key };
    default:
      return { authorization: `Bearer ${key}` };
  }
}
