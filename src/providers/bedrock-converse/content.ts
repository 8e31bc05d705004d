/**
 * Bedrock Converse content blocks (docs.aws.amazon.com/bedrock/latest/APIReference/
 * API_runtime_ContentBlock.html) read into GenAI message parts. A block is an object with one
 * member naming its kind (`text`, `image`, `toolUse` ...); requests and responses share them.
 */
import type { MessagePart } from '../../event/types.js';
import { arrayOrEmpty, isRecord, recordOrEmpty, stringOrNull } from '../json.js';

/** What a `redactedContent` reasoning block records: that there was reasoning, never its data. */
export const REDACTED_REASONING = '[redacted]';

/** The message parts of a list of content blocks. */
export function contentParts(content: unknown): MessagePart[] {
  return arrayOrEmpty(content).filter(isRecord).flatMap(blockParts);
}

/** The message parts of one content block; a kind added later is left out, not guessed at. */
export function blockParts(block: Record<string, unknown>): MessagePart[] {
  if (typeof block.text === 'string') return [{ type: 'text', content: block.text }];
  if (isRecord(block.toolUse)) {
    const toolUse = block.toolUse;
    return [
      {
        type: 'tool_call',
        id: stringOrNull(toolUse.toolUseId),
        name: stringOrNull(toolUse.name) ?? '',
        arguments: toolUse.input ?? null,
      },
    ];
  }
  if (isRecord(block.toolResult)) {
    const toolResult = block.toolResult;
    const id = stringOrNull(toolResult.toolUseId);
    return [{ type: 'tool_call_response', id, response: toolResponse(toolResult.content) }];
  }
  if (isRecord(block.reasoningContent)) return reasoningParts(block.reasoningContent);
  if (isRecord(block.image)) return mediaParts(block.image, 'image', 'image', null);
  if (isRecord(block.video)) return mediaParts(block.video, 'video', 'video', null);
  if (isRecord(block.document)) {
    const name = stringOrNull(block.document.name);
    return mediaParts(block.document, 'application', null, name);
  }
  if (isRecord(block.guardContent)) {
    const text = stringOrNull(recordOrEmpty(block.guardContent.text).text);
    return text === null ? [] : [{ type: 'text', content: text }];
  }
  // cachePoint marks where a cached prefix ends; it says nothing.
  return [];
}

function reasoningParts(reasoning: Record<string, unknown>): MessagePart[] {
  // The signature only lets the model check its reasoning later; it is not kept.
  const text = stringOrNull(recordOrEmpty(reasoning.reasoningText).text);
  if (text !== null) return [{ type: 'reasoning', content: text }];
  if (reasoning.redactedContent !== undefined) {
    return [{ type: 'reasoning', content: REDACTED_REASONING }];
  }
  return [];
}

/**
 * An image, video or document: its bytes (base64 in the JSON body) as a blob, an S3 object as
 * a uri, a document's own text as text.
 */
function mediaParts(
  media: Record<string, unknown>,
  kind: string,
  modality: string | null,
  name: string | null,
): MessagePart[] {
  const format = stringOrNull(media.format);
  const mimeType = format === null ? null : `${kind}/${format}`;
  const source = recordOrEmpty(media.source);
  if (typeof source.bytes === 'string') {
    return [{ type: 'blob', mimeType, modality, content: source.bytes }];
  }
  const s3 = stringOrNull(recordOrEmpty(source.s3Location).uri);
  if (s3 !== null) return [{ type: 'uri', mimeType, modality, uri: s3 }];
  if (typeof source.text === 'string') return [{ type: 'text', content: source.text }];
  if (Array.isArray(source.content)) return contentParts(source.content);
  return name === null ? [] : [{ type: 'file', mimeType, fileId: null, name }];
}

/** A tool result's content: its text when it is all text, its JSON when one JSON block, else as sent. */
function toolResponse(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? null;
  const blocks = content.filter(isRecord);
  if (blocks.length > 0 && blocks.every((block) => typeof block.text === 'string')) {
    return blocks.map((block) => block.text as string).join('\n');
  }
  if (blocks.length === 1 && blocks[0]?.json !== undefined) return blocks[0].json;
  return content;
}
