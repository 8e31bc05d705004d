import { countTokens } from 'gpt-tokenizer';
import type { AuditEvent, Message, Usage } from '../event/types.js';

/**
 * Usage estimated from the recorded text when the provider reported none (`usage.source`
 * `missing`), or `null` when there is nothing to count. Counted with OpenAI's o200k_base
 * tokenizer (gpt-tokenizer); other providers' tokenizers differ, so the figure is marked
 * `estimated` and the cost with it. Media, tool definitions and message framing are not
 * counted, so the estimate leans low.
 */
export function estimateUsage(event: AuditEvent): Usage | null {
  if (event.kind !== 'llm.call' || event.usage?.source !== 'missing') return null;
  const status = event.response?.httpStatus ?? null;
  if (status === null || status < 200 || status >= 300) return null;

  const request = event.request;
  const inputText = [request?.system ?? '', ...textOf(request?.messages ?? [])].join('\n');
  const outputText = textOf(event.response?.output ?? []).join('\n');
  if (!inputText.trim() && !outputText.trim()) return null;

  const inputTokens = countTokens(inputText);
  const embeddings = request?.endpoint === 'embeddings';
  return {
    inputTokens,
    outputTokens: embeddings ? null : countTokens(outputText),
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    source: 'estimated',
    raw: null,
  };
}

function textOf(messages: Message[]): string[] {
  return messages.flatMap((message) =>
    message.parts.flatMap((part) => {
      if (part.type === 'text' || part.type === 'reasoning') return [part.content];
      if (part.type === 'tool_call') return [JSON.stringify(part.arguments ?? null)];
      if (part.type === 'tool_call_response') return [JSON.stringify(part.response ?? null)];
      return [];
    }),
  );
}
