import type { MessagePart } from '../event/types.js';
import { stringOrNull } from './json.js';

/** A `data:` URL's media type and content (RFC 2397); `null` for any other URL. */
export function parseDataUrl(url: string): { mimeType: string | null; content: string } | null {
  if (!url.startsWith('data:')) return null;
  const comma = url.indexOf(',');
  if (comma === -1) return null;
  const mimeType = url.slice(5, comma).split(';')[0] ?? '';
  return { mimeType: mimeType === '' ? null : mimeType, content: url.slice(comma + 1) };
}

/** A data URL becomes a blob (its base64 content), any other URL a `uri` part. */
export function mediaPart(url: string | null, modality: string | null): MessagePart | null {
  if (url === null) return null;
  const dataUrl = parseDataUrl(url);
  if (dataUrl === null) return { type: 'uri', mimeType: null, modality, uri: url };
  return { type: 'blob', mimeType: dataUrl.mimeType, modality, content: dataUrl.content };
}

/** OpenAI's `input_audio` (`data` in base64, `format` such as `wav`) as a blob. */
export function audioPart(audio: Record<string, unknown>): MessagePart | null {
  const data = stringOrNull(audio.data);
  if (data === null) return null;
  const format = stringOrNull(audio.format);
  const mimeType = format === null ? null : `audio/${format}`;
  return { type: 'blob', mimeType, modality: 'audio', content: data };
}
