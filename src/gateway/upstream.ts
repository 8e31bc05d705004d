import { Agent, errors as undiciErrors } from 'undici';
import type { ProviderType } from '../event/types.js';
import { describeError } from '../providers/registry.js';

/** The pooled HTTP client every provider call goes through. */
export function createUpstreamAgent(timeoutMs: number): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 30_000),
  });
}

/** How an upstream call failed, in the event's outcome vocabulary. */
export type UpstreamFailure = {
  status: 'upstream_unreachable' | 'timeout' | 'upstream_error';
  /** The HTTP status the gateway answers with when no response has started. */
  httpStatus: 502 | 504;
  /** A short description without hosts' secrets or bodies, for the event and the caller. */
  message: string;
};

/** Classifies an error thrown by the upstream client. */
export function classifyUpstreamError(error: unknown, afterHeaders: boolean): UpstreamFailure {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return {
      status: 'timeout',
      httpStatus: 504,
      message: afterHeaders
        ? 'the provider stopped sending before the response was complete'
        : 'the provider did not answer in time',
    };
  }

  const code = errorCode(error);
  if (afterHeaders) {
    return {
      status: 'upstream_error',
      httpStatus: 502,
      message: `the provider's connection failed mid-response (${code})`,
    };
  }
  return {
    status: 'upstream_unreachable',
    httpStatus: 502,
    message: `the provider could not be reached (${code})`,
  };
}

function errorCode(error: unknown): string {
  const withCause = error as { code?: unknown; cause?: { code?: unknown } };
  const code = withCause?.code ?? withCause?.cause?.code;
  return typeof code === 'string' ? code : 'connection error';
}

/**
 * Why a provider's error answer ended a call or an attempt, for the record: its status and
 * the error's type and code, never its message (it can echo prompt text).
 */
export function providerErrorReason(
  type: ProviderType,
  status: number,
  body: unknown,
  errorType: string | null,
): string {
  const detail = describeError(type, body, errorType);
  return `the provider answered ${status}${detail ? ` (${detail})` : ''}`;
}
