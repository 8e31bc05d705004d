import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { refusalMessage } from '../cost/alerts.js';
import type { StreamMeter } from '../cost/budget-service.js';
import type { BudgetRefusal } from '../cost/budgets.js';
import { errorBody as openaiErrorBody } from '../providers/openai-chat/errors.js';
import { parseJson } from '../providers/json.js';
import { createUsageChunkFilter } from '../providers/openai-chat/index.js';
import { describeError, familyFor } from '../providers/registry.js';
import type { ParsedResponse, StreamAssembler } from '../providers/types.js';
import { emptyResponse } from '../event/records.js';
import type { Call } from './call.js';
import type { ForwardInput } from './forward.js';
import { clientHeaders } from './headers.js';
import { BodyCollector, ResponseTap } from './tap.js';
import { classifyUpstreamError, providerErrorReason } from './upstream.js';

type UsageChunkFilter = ReturnType<typeof createUsageChunkFilter>;

/** How relaying the body ended; `stopped` when a budget's limit passed while it streamed. */
type RelayEnd = 'complete' | 'client_aborted' | { failure: unknown } | { stopped: BudgetRefusal };

/** The assembler's sink with the stream's budget meter on it: counts the answer's decoded bytes. */
class MeteredSink {
  stop: BudgetRefusal | null = null;

  constructor(
    private readonly assembler: StreamAssembler,
    private readonly meter: StreamMeter,
  ) {}

  write(chunk: Uint8Array): void {
    this.assembler.write(chunk);
    this.stop ??= this.meter.write(chunk.length);
  }
}

/**
 * How much of a non-streamed answer the record's copy reads. Beyond it the answer still
 * reaches the client whole, and the event keeps its size and hash, marked truncated. It is
 * apart from `limits.maxBodyBytes`, which limits what callers send.
 */
const RESPONSE_COPY_LIMIT = 64 * 1024 * 1024;

/**
 * Sends the upstream's status, headers and body to the client as they arrive, while a tap
 * reads a copy for the record.
 */
export async function relayResponse(
  input: ForwardInput,
  upstream: Dispatcher.ResponseData,
  aborted: AbortSignal,
): Promise<void> {
  const { call, provider, api, response } = input;
  const status = upstream.statusCode;
  const contentType = headerValue(upstream.headers['content-type']) ?? '';
  const contentEncoding = headerValue(upstream.headers['content-encoding']);
  const jsonStream = api?.streamsJson === true && call.request.stream;
  const ownStream =
    api?.streamContentType !== undefined && contentType.includes(api.streamContentType);
  const streamed = contentType.includes('text/event-stream') || jsonStream || ownStream;

  const assembler = api && streamed && status < 400 ? api.createStreamAssembler() : null;
  const collector = assembler ? null : new BodyCollector(RESPONSE_COPY_LIMIT);
  const metered = assembler && call.meter ? new MeteredSink(assembler, call.meter) : null;
  const tap = new ResponseTap(
    contentEncoding,
    metered ?? assembler ?? (collector as BodyCollector),
  );
  const withholdsUsage = streamed && input.withholdsUsage === true && !contentEncoding;
  const filter = withholdsUsage ? createUsageChunkFilter() : null;

  call.response = emptyResponse(status, provider.simulated);
  const headers = clientHeaders(upstream.headers, { dropLength: filter !== null });
  headers['x-auditgate-event-id'] = call.id;
  if (!streamed) headers['x-auditgate-overhead-ms'] = String(call.overheadSoFar());
  response.writeHead(status, headers);

  const pipe = { call, upstream, response, tap, filter, assembler, metered, aborted };
  const end = await pipeBody(pipe);
  call.upstreamEnd = call.elapsed();
  finishRelay(input, end, filter, contentType.includes('text/event-stream'));

  call.response.bodySha256 = await tap.end();
  call.response.bodyBytes = tap.bytes;
  const errorType = headerValue(upstream.headers['x-amzn-errortype']) ?? null;
  const decodeFailed = tap.decodeFailed;
  readResponse(input, { status, end, assembler, collector, decodeFailed, errorType });
  if (call.response.id === null && api?.responseIdHeader) {
    call.response.id = headerValue(upstream.headers[api.responseIdHeader]) ?? null;
  }
}

type Pipe = {
  call: Call;
  upstream: Dispatcher.ResponseData;
  response: ServerResponse;
  tap: ResponseTap;
  filter: UsageChunkFilter | null;
  assembler: StreamAssembler | null;
  metered: MeteredSink | null;
  aborted: AbortSignal;
};

async function pipeBody(pipe: Pipe): Promise<RelayEnd> {
  const { call, response, tap, filter, assembler } = pipe;
  try {
    for await (const chunk of pipe.upstream.body) {
      const bytes = chunk as Buffer;
      // The client's bytes go first; the record's copy is read while they travel.
      const forwarded = filter ? filter.transform(bytes) : bytes;
      const flowing = forwarded.length === 0 || response.write(forwarded);
      tap.write(bytes);
      if (assembler && call.firstToken === null && assembler.sawContent) {
        call.firstToken = call.elapsed();
      }
      if (pipe.metered?.stop) return { stopped: pipe.metered.stop };
      if (!flowing) await drained(response);
      if (pipe.aborted.aborted) return 'client_aborted';
    }
    return 'complete';
  } catch (error) {
    return pipe.aborted.aborted ? 'client_aborted' : { failure: error };
  }
}

function finishRelay(
  input: ForwardInput,
  end: RelayEnd,
  filter: UsageChunkFilter | null,
  sse: boolean,
): void {
  const { call, response } = input;
  if (end === 'complete') {
    const rest = filter?.flush();
    response.end(rest && rest.length > 0 ? rest : undefined);
    return;
  }
  if (end === 'client_aborted') {
    call.outcome = { status: 'client_aborted', error: 'the client disconnected mid-response' };
  } else if ('stopped' in end) {
    // A budget's limit passed mid-stream: the stream ends with an error event in the provider's
    // own error shape (the SDKs raise it), and the call is recorded as blocked.
    const message = refusalMessage(end.stopped, call.id);
    const shape = familyFor(input.provider.type)?.errorBody ?? openaiErrorBody;
    const body = shape(429, 'budget_exceeded', message);
    call.outcome = { status: 'blocked', error: message };
    if (call.response) call.response.error = body;
    if (sse) {
      response.end(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
      return;
    }
  } else {
    const failure = classifyUpstreamError(end.failure, true);
    call.outcome = { status: failure.status, error: failure.message };
  }
  response.destroy();
}

type ReadInput = {
  status: number;
  end: RelayEnd;
  assembler: StreamAssembler | null;
  collector: BodyCollector | null;
  decodeFailed: boolean;
  /** Bedrock's `x-amzn-errortype` header, which names its exception. */
  errorType: string | null;
};

/** Fills the call's response and usage from what the tap read. */
function readResponse(input: ForwardInput, read: ReadInput): void {
  const { call, api, provider } = input;
  const record = call.response;
  if (!record) return;
  record.truncated = read.collector?.truncated ?? false;

  if (read.assembler) {
    applyParsed(call, read.assembler.finish());
    return;
  }
  if (!read.collector || read.collector.truncated || read.decodeFailed) return;

  const text = read.collector.text();
  const json = parseJson(text);
  if (read.status >= 400) {
    record.error = json ?? text.slice(0, 4096);
    const reason = providerErrorReason(provider.type, read.status, json, read.errorType);
    if (call.outcome.status === 'ok') call.outcome = { status: 'upstream_error', error: reason };
    return;
  }
  if (api && json !== undefined) applyParsed(call, api.parseResponse(json));
}

function applyParsed(call: Call, parsed: ParsedResponse): void {
  if (!call.response) return;
  Object.assign(call.response, {
    id: parsed.id,
    model: parsed.model,
    systemFingerprint: parsed.systemFingerprint,
    output: parsed.output,
    toolCalls: parsed.toolCalls,
    finishReasons: parsed.finishReasons,
    finishReason: parsed.finishReason,
    refusal: parsed.refusal,
    embeddings: parsed.embeddings ?? null,
  });
  call.usage = parsed.usage;
  if (parsed.retrieval) {
    // What the provider's own tools retrieved (web and file search) joins the request's context.
    call.request.retrieval = [...(call.request.retrieval ?? []), ...parsed.retrieval];
  }
  if (parsed.error !== undefined && parsed.error !== null) {
    // An error inside a 200 answer, such as Anthropic's `event: error` mid-stream.
    call.response.error = parsed.error;
    const detail = describeError(call.request.providerType ?? 'openai', { error: parsed.error });
    const reason = `the provider reported an error in its answer${detail ? ` (${detail})` : ''}`;
    if (call.outcome.status === 'ok') call.outcome = { status: 'upstream_error', error: reason };
  }
}

function drained(response: ServerResponse): Promise<void> {
  if (response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
