import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { Attempt, ProviderType, Rewrite } from '../event/types.js';
import { requestStreamUsage } from '../providers/openai-chat/index.js';
import { parseJson } from '../providers/json.js';
import type { ProviderApi } from '../providers/types.js';
import { AWS_SIGNATURE_HEADERS } from './aws-signing.js';
import type { Call } from './call.js';
import type { GatewayContext } from './context.js';
import { AUTH_HEADERS, upstreamHeaders } from './headers.js';
import { rejectCall } from './reject.js';
import { relayResponse } from './relay.js';
import { routeFamilyOf, routingModel, targetRequest } from './routes.js';
import type { Provider } from './routing.js';
import { classifyUpstreamError, providerErrorReason, type UpstreamFailure } from './upstream.js';

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
  /** Whether the gateway asked this stream for usage the caller did not, to withhold it. */
  withholdsUsage?: boolean;
};

/** One place the call may go: a provider and the body it gets there. */
type Target = {
  provider: Provider;
  model: string | null;
  /** The provider path and query this target is sent (a route may change its form). */
  path: string;
  body: Buffer;
  /** The changes to the caller's request this target is sent with, listed once it is sent. */
  rewrites: Rewrite[];
  withholdsUsage: boolean;
};

/** What one attempt came back with: an answer's head, or an error before any answer. */
type AttemptResult =
  | { kind: 'answer'; upstream: Dispatcher.ResponseData }
  | { kind: 'failure'; failure: UpstreamFailure }
  | { kind: 'aborted' };

/** How many bytes of a refused attempt's body are read to name its error. */
const REFUSED_BODY_LIMIT = 64 * 1024;

/**
 * Journals the call, then sends it to its provider (or to its route's targets in turn, each
 * with its provider's retries) until one answers in a way worth relaying, and relays that.
 * Nothing reaches the client before that choice, so a retry never follows sent bytes.
 */
export async function forwardCall(context: GatewayContext, input: ForwardInput): Promise<void> {
  const { call, provider, response } = input;
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

  const targets = planTargets(context, input);
  call.upstreamStart = call.elapsed();
  for (const [index, target] of targets.entries()) {
    const lastTarget = index === targets.length - 1;
    const done = await tryTarget(context, input, { target, lastTarget }, abort.signal);
    if (done) return;
  }
}

/**
 * Sends the call to one target, retrying as its provider allows. Returns true when the call
 * ended here (relayed, refused or abandoned), false to fall back to the next target.
 */
async function tryTarget(
  context: GatewayContext,
  input: ForwardInput,
  { target, lastTarget }: { target: Target; lastTarget: boolean },
  signal: AbortSignal,
): Promise<boolean> {
  const { call } = input;
  const retry = target.provider.retry;
  listRewrites(call, target);
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    const moreHere = attemptNumber < retry.attempts;
    const attempt = startAttempt(call, target);
    const started = call.elapsed();
    const result = await sendAttempt(context, input, target, signal);
    attempt.latencyMs = round(call.elapsed() - started);

    if (result.kind === 'aborted') return abandoned(call);
    if (result.kind === 'failure') {
      attempt.error = result.failure.message;
      if (!moreHere && lastTarget) return failed(input, result.failure);
    } else {
      const { upstream } = result;
      attempt.httpStatus = upstream.statusCode;
      const retryable = retry.statusCodes.includes(upstream.statusCode);
      if (!retryable || (!moreHere && lastTarget)) {
        const relayed = {
          ...input,
          provider: target.provider,
          withholdsUsage: target.withholdsUsage,
        };
        await relayResponse(relayed, upstream, signal);
        attempt.latencyMs = round(call.elapsed() - started);
        return true;
      }
      attempt.error = await refusedReason(target.provider.type, upstream);
    }

    attempt.next = moreHere ? 'retry' : 'fallback';
    if (!moreHere) return false;
    const wait = backoffMs(retry, attemptNumber, result.kind === 'answer' ? result.upstream : null);
    await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return abandoned(call);
  }
}

/** Ends a call whose client left before any answer reached it. */
function abandoned(call: Call): true {
  call.upstreamEnd = call.elapsed();
  call.outcome = { status: 'client_aborted', error: 'the client disconnected while waiting' };
  return true;
}

/** Ends a call whose last attempt got no answer, in the caller's provider's error shape. */
function failed(input: ForwardInput, failure: UpstreamFailure): true {
  const { call, response } = input;
  call.upstreamEnd = call.elapsed();
  const refusal = { status: failure.httpStatus, code: failure.status, message: failure.message };
  rejectCall(call, response, refusal, input.provider);
  call.outcome = { status: failure.status, error: failure.message };
  return true;
}

function startAttempt(call: Call, target: Target): Attempt {
  const attempt: Attempt = {
    number: call.attempts.length + 1,
    provider: target.provider.name,
    model: target.model,
    httpStatus: null,
    error: null,
    latencyMs: null,
    next: null,
  };
  call.attempts.push(attempt);
  return attempt;
}

async function sendAttempt(
  context: GatewayContext,
  input: ForwardInput,
  target: Target,
  signal: AbortSignal,
): Promise<AttemptResult> {
  const { provider } = target;
  const path = provider.pathPrefix + upstreamPath(provider, target.path);
  const method = input.request.method as Dispatcher.HttpMethod;
  let headers: Record<string, string | string[]>;
  try {
    headers = await headersFor(input, target, path);
  } catch (error) {
    // Only signing can fail here: the AWS credential chain found nothing, or its source
    // (SSO, a role) refused. The error's name says which; its message may name local paths.
    const name = error instanceof Error ? error.name : 'unknown error';
    const message = `the gateway could not sign the request with its aws credentials (${name})`;
    return { kind: 'failure', failure: { status: 'upstream_error', httpStatus: 502, message } };
  }
  try {
    const upstream = await context.upstream.request({
      origin: provider.origin,
      path,
      method,
      headers,
      body: target.body.length > 0 ? target.body : null,
      signal,
    });
    return { kind: 'answer', upstream };
  } catch (error) {
    if (signal.aborted) return { kind: 'aborted' };
    return { kind: 'failure', failure: classifyUpstreamError(error, false) };
  }
}

/** Reads a refused attempt's body (a little of it) and names its error for the record. */
async function refusedReason(type: ProviderType, upstream: Dispatcher.ResponseData) {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of upstream.body) {
      const bytes = chunk as Buffer;
      if (size + bytes.length > REFUSED_BODY_LIMIT) break;
      chunks.push(bytes);
      size += bytes.length;
    }
  } catch {
    // A body cut short still leaves the status to tell.
  } finally {
    upstream.body.destroy();
  }
  const json = parseJson(Buffer.concat(chunks).toString('utf8'));
  const errorType = single(upstream.headers['x-amzn-errortype']) ?? null;
  return providerErrorReason(type, upstream.statusCode, json, errorType);
}

/**
 * How long to wait before trying again: the provider's `retry-after-ms` or `retry-after`
 * (seconds or an HTTP date, RFC 9110 section 10.2.3) when it sent one, else a random wait
 * below a doubling of `backoffMs`; never more than `maxBackoffMs`.
 *
 * Full jitter (a wait drawn evenly from zero to the doubled backoff), as compared in the AWS
 * Architecture Blog's "Exponential Backoff And Jitter" (2015): callers that failed together
 * (every gateway instance behind one throttled upstream) otherwise retry together, in
 * lockstep, and full jitter spread them with the fewest calls in that comparison. Equal
 * jitter's guaranteed half wait buys nothing here, where the wait only spaces out attempts.
 * A provider's `retry-after` is kept as it is: it names the time, and a sooner try is refused.
 */
export function backoffMs(
  retry: Provider['retry'],
  attemptNumber: number,
  upstream: Pick<Dispatcher.ResponseData, 'headers'> | null,
  random: () => number = Math.random,
): number {
  const asked = upstream ? retryAfterMs(upstream.headers) : null;
  if (asked !== null) return Math.min(asked, retry.maxBackoffMs);
  const ceiling = Math.min(retry.backoffMs * 2 ** (attemptNumber - 1), retry.maxBackoffMs);
  return Math.floor(random() * ceiling);
}

function retryAfterMs(headers: Dispatcher.ResponseData['headers']): number | null {
  const milliseconds = Number(single(headers['retry-after-ms']) ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = single(headers['retry-after']);
  if (value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/**
 * Where the call goes: its own provider, or, when the model it routes by names a route of
 * the provider's API family, each of the route's targets in order with its model written
 * into the body or the path (each such rewrite listed on the event once the target is sent).
 */
function planTargets(context: GatewayContext, input: ForwardInput): Target[] {
  const { call, provider, api, body, path } = input;
  const named = routingModel(provider.type, path, call.request.model);
  const route = api ? context.routes.get(named ?? '') : undefined;
  const own = () => [
    withStreamUsage(input, { provider, model: call.request.model, path, body, rewrites: [] }),
  ];
  if (!route || route.family !== routeFamilyOf(provider.type)) return own();
  const planned: Target[] = [];
  for (const [index, step] of route.targets.entries()) {
    const reason = `route ${route.model}, target ${index + 1} (${step.provider.name})`;
    const sent = targetRequest({ provider, path, body }, step, reason);
    if (!sent) return own();
    planned.push(withStreamUsage(input, { provider: step.provider, model: step.model, ...sent }));
  }
  return planned;
}

/** A chat stream asked for its usage where the target's provider injects it. */
function withStreamUsage(input: ForwardInput, target: Omit<Target, 'withholdsUsage'>): Target {
  const { call, api } = input;
  const asks =
    api?.endpoint === 'chat.completions' &&
    target.provider.injectStreamUsage &&
    call.request.stream;
  const rewritten = asks ? requestStreamUsage(target.body) : null;
  if (!rewritten) return { ...target, withholdsUsage: false };
  const rewrites = [...target.rewrites, rewritten.rewrite];
  return { ...target, body: rewritten.body, rewrites, withholdsUsage: true };
}

/**
 * Lists a target's rewrites on the event as it is first sent (a target never tried changed
 * nothing). A rewrite already listed by an earlier target, the same in every field (the
 * stream usage one), is listed once.
 */
function listRewrites(call: Call, target: Target): void {
  for (const rewrite of target.rewrites) {
    const listed = call.request.rewrites.some(
      (other) =>
        other.path === rewrite.path &&
        other.reason === rewrite.reason &&
        JSON.stringify([other.from, other.to]) === JSON.stringify([rewrite.from, rewrite.to]),
    );
    if (!listed) call.request.rewrites.push(rewrite);
  }
}

/** The provider path, with Azure's configured `api-version` when the caller named none. */
function upstreamPath(provider: Provider, path: string): string {
  if (provider.type !== 'azure' || provider.apiVersion === null) return path;
  // The v1 paths take no dated api-version (learn.microsoft.com, "API version lifecycle").
  if (path.startsWith('/openai/v1/')) return path;
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  if (new URLSearchParams(query).has('api-version')) return path;
  const version = `api-version=${encodeURIComponent(provider.apiVersion)}`;
  return `${path}${path.includes('?') ? '&' : '?'}${version}`;
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

/**
 * The caller's headers for the upstream. The caller's own key goes only to the provider it
 * called; the gateway's key is sent when the caller brought none, or to a route's other
 * providers. A Bedrock request loses the caller's SigV4 headers and is signed anew, unless
 * it carries a Bedrock API key (a bearer token), which passes through.
 */
async function headersFor(
  input: ForwardInput,
  target: Target,
  path: string,
): Promise<Record<string, string | string[]>> {
  const { request, call } = input;
  const { provider } = target;
  const otherProvider = provider !== input.provider;
  const callerKeyFits = !otherProvider && callerSendsKey(provider.type, request, call);
  // TODO(#7): INTERFACE.md has held keys serve only callers the gateway authenticated; today
  // an anonymous caller is served them too wherever `auth.requireKey` is off (loopback).
  const useGatewayKey = provider.apiKey !== null && !callerKeyFits;
  const drop = useGatewayKey || otherProvider ? [...AUTH_HEADERS] : [];
  if (provider.type === 'bedrock' && !callerKeyFits) drop.push(...AWS_SIGNATURE_HEADERS);
  const headers = upstreamHeaders(request.headers, {
    keep: provider.simulated ? ['x-auditgate-simulate'] : [],
    drop,
  });
  if (useGatewayKey && provider.apiKey) {
    Object.assign(headers, authHeader(provider.type, provider.apiKey));
  }
  const signs = provider.signer !== null && !callerKeyFits && !useGatewayKey;
  if (!signs || !provider.signer) return headers;
  return provider.signer({
    origin: provider.origin,
    path,
    method: request.method ?? 'POST',
    headers,
    body: target.body,
  });
}

/**
 * Whether the caller sent a key the provider takes. On Bedrock only a Bedrock API key does
 * (`Authorization: Bearer`); a SigV4 signature or an `x-auditgate-key` is no upstream key.
 */
function callerSendsKey(type: ProviderType, request: IncomingMessage, call: Call): boolean {
  if (type !== 'bedrock') return call.identity.authMethod === 'provider_key';
  return /^bearer\s/i.test(single(request.headers.authorization) ?? '');
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

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function round(milliseconds: number): number {
  return Math.round(milliseconds * 100) / 100;
}
