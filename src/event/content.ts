import type { AuditEvent, RequestRecord, ResponseRecord } from './types.js';

/**
 * The parts of an event that carry what people and models said: prompts, outputs, tool
 * arguments and results, retrieved text, provider error bodies. They are stored apart from
 * the envelope so that masking, erasure and retention can treat them on their own.
 */
export type EventContent = {
  request: Pick<RequestRecord, 'system' | 'messages' | 'tools' | 'retrieval'> | null;
  response: Pick<ResponseRecord, 'output' | 'toolCalls' | 'refusal' | 'error'> | null;
};

/** Splits an event into its envelope (content fields set to `null`) and its content. */
export function splitContent(event: AuditEvent): { envelope: AuditEvent; content: EventContent } {
  const { request, response } = event;
  const content: EventContent = {
    request: request
      ? {
          system: request.system,
          messages: request.messages,
          tools: request.tools,
          retrieval: request.retrieval,
        }
      : null,
    response: response
      ? {
          output: response.output,
          toolCalls: response.toolCalls,
          refusal: response.refusal,
          error: response.error,
        }
      : null,
  };
  const envelope: AuditEvent = {
    ...event,
    request: request
      ? { ...request, system: null, messages: null, tools: null, retrieval: null }
      : null,
    response: response
      ? { ...response, output: null, toolCalls: null, refusal: null, error: null }
      : null,
  };
  return { envelope, content };
}

/** Puts stored content back into its envelope; a missing content row leaves the fields `null`. */
export function joinContent(envelope: AuditEvent, content: EventContent | null): AuditEvent {
  if (!content) return envelope;
  return {
    ...envelope,
    request:
      envelope.request && content.request
        ? { ...envelope.request, ...content.request }
        : envelope.request,
    response:
      envelope.response && content.response
        ? { ...envelope.response, ...content.response }
        : envelope.response,
  };
}
