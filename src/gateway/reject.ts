import type { ServerResponse } from 'node:http';
import { familyFor } from '../providers/registry.js';
import { emptyResponse } from '../event/records.js';
import type { Call } from './call.js';
import type { Provider } from './routing.js';
import type { ErrorShape } from '../providers/types.js';
import { errorBody as openaiErrorBody } from '../providers/openai-chat/errors.js';

/** An answer the gateway gives itself, without asking the provider. */
export type Refusal = { status: number; code: string; message: string };

/**
 * Answers the caller with an error in its provider's own shape (OpenAI's when no provider
 * is known), and records it on the call as `rejected`.
 */
export function rejectCall(
  call: Call,
  response: ServerResponse,
  refusal: Refusal,
  provider?: Provider,
): void {
  const family = provider ? familyFor(provider.type) : null;
  const shape: ErrorShape = family?.errorBody ?? openaiErrorBody;
  const body = shape(refusal.status, refusal.code, refusal.message);
  const headers = family?.errorHeaders?.(refusal.status) ?? {};

  call.outcome = { status: 'rejected', error: refusal.message };
  call.response = { ...emptyResponse(refusal.status, false), error: body };
  if (response.headersSent || response.destroyed) return;

  response.writeHead(refusal.status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
