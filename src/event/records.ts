import type { RequestRecord, ResponseRecord, Usage } from './types.js';

/** Usage for a call where the provider reported none: every count `null`, source `missing`. */
export function missingUsage(): Usage {
  return {
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    source: 'missing',
    raw: null,
  };
}

/** A request record that knows only its method and path; the rest is filled as it is read. */
export function emptyRequest(method: string, path: string): RequestRecord {
  return {
    provider: '',
    providerType: null,
    endpoint: 'other',
    method,
    path,
    model: null,
    parameters: null,
    stream: false,
    system: null,
    messages: null,
    tools: null,
    retrieval: null,
    previousResponseId: null,
    deployment: null,
    inputCount: null,
    bodySha256: null,
    bodyBytes: 0,
    truncated: false,
    rewrites: [],
  };
}

/** A response record that knows only its status; the rest is filled as the body is read. */
export function emptyResponse(httpStatus: number, simulated: boolean): ResponseRecord {
  return {
    id: null,
    model: null,
    systemFingerprint: null,
    output: null,
    toolCalls: null,
    finishReasons: null,
    finishReason: null,
    refusal: null,
    httpStatus,
    error: null,
    bodySha256: null,
    bodyBytes: 0,
    truncated: false,
    simulated,
    embeddings: null,
  };
}
