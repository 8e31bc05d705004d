import type { RetrievedDocument } from '../../event/types.js';
import {
  arrayOrEmpty,
  isRecord,
  nonEmptyStringOrNull,
  numberOrNull,
  recordOrEmpty,
  stringOrNull,
} from '../json.js';

const SEARCH_CALLS = new Set(['file_search_call', 'web_search_call']);

/**
 * The documents the provider's own search tools found: each file search result (file,
 * text and score) and each web source or page. `null` when no search ran; empty when the
 * results were not sent (the request must `include` `file_search_call.results` or
 * `web_search_call.action.sources` for them).
 */
export function retrievedDocuments(items: Record<string, unknown>[]): RetrievedDocument[] | null {
  const searches = items.filter((item) => SEARCH_CALLS.has(stringOrNull(item.type) ?? ''));
  if (searches.length === 0) return null;
  return searches.flatMap((item) =>
    item.type === 'file_search_call' ? fileDocuments(item) : webDocuments(item),
  );
}

function fileDocuments(item: Record<string, unknown>): RetrievedDocument[] {
  return arrayOrEmpty(item.results)
    .filter(isRecord)
    .map((result) => {
      const fileId = nonEmptyStringOrNull(result.file_id);
      return {
        id: fileId,
        source: nonEmptyStringOrNull(result.filename) ?? fileId,
        text: stringOrNull(result.text),
        sha256: null,
        score: numberOrNull(result.score),
      };
    });
}

/** A search's sources, or the page an `open_page` or `find_in_page` action read. */
function webDocuments(item: Record<string, unknown>): RetrievedDocument[] {
  const action = recordOrEmpty(item.action);
  const urls =
    action.type === 'search'
      ? arrayOrEmpty(action.sources).map((source) => recordOrEmpty(source).url)
      : [action.url];
  return urls
    .map((url) => nonEmptyStringOrNull(url))
    .filter((url): url is string => url !== null)
    .map((url) => ({ id: null, source: url, text: null, sha256: null, score: null }));
}
