/**
 * The content parts of Responses messages (`input_text`, `input_image`, `input_file`,
 * `input_audio`, `output_text`, `refusal`) in the GenAI message-part shape.
 */
import type { MessagePart } from '../../event/types.js';
import { arrayOrEmpty, isRecord, recordOrEmpty, stringOrNull } from '../json.js';
import { audioPart, mediaPart, parseDataUrl } from '../media.js';

/** The parts of a message's `content`: a string is one text part. */
export function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', content }];
  return arrayOrEmpty(content)
    .filter(isRecord)
    .flatMap((part) => contentPart(part) ?? []);
}

/** The text of a message's `content`: the string itself, or its text parts joined. */
export function contentText(content: unknown): string {
  return contentParts(content)
    .map((part) => (part.type === 'text' ? part.content : ''))
    .filter((text) => text !== '')
    .join('\n');
}

/**
 * A tool result's `output`: a string as sent, a list of text parts as their text, any
 * other list (images, files) as sent.
 */
export function toolOutput(output: unknown): unknown {
  if (!Array.isArray(output)) return output ?? null;
  const allText = output.every((part) => isRecord(part) && part.type === 'input_text');
  return allText ? contentText(output) : output;
}

function contentPart(part: Record<string, unknown>): MessagePart | null {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', content: stringOrNull(part.text) ?? '' };
    case 'refusal':
      return { type: 'text', content: stringOrNull(part.refusal) ?? '' };
    case 'input_image':
      return imagePart(part);
    case 'input_file':
      return filePart(part);
    case 'input_audio':
      return audioPart(recordOrEmpty(part.input_audio));
    default:
      return null;
  }
}

function imagePart(part: Record<string, unknown>): MessagePart | null {
  const fileId = stringOrNull(part.file_id);
  if (fileId !== null) return { type: 'file', mimeType: null, fileId, name: null };
  return mediaPart(stringOrNull(part.image_url), 'image');
}

/** A file by id, by URL, or inline as a data URL or bare base64 (`file_data`). */
function filePart(part: Record<string, unknown>): MessagePart | null {
  const name = stringOrNull(part.filename);
  const fileId = stringOrNull(part.file_id);
  if (fileId !== null) return { type: 'file', mimeType: null, fileId, name };
  const url = stringOrNull(part.file_url);
  if (url !== null) return { type: 'uri', mimeType: null, modality: null, uri: url };
  const fileData = stringOrNull(part.file_data);
  if (fileData === null) return null;
  const data = parseDataUrl(fileData) ?? { mimeType: null, content: fileData };
  return { type: 'blob', mimeType: data.mimeType, modality: null, content: data.content };
}
