/**
 * The documents Anthropic's server tools brought into an answer: web search results, pages
 * read by web fetch, and the urls that text blocks cite. They are read from the result
 * blocks (docs.claude.com/en/docs/agents-and-tools/tool-use/web-search-tool).
 */
import type { RetrievedDocument } from '../../event/types.js';
import { arrayOrEmpty, isRecord, nonEmptyStringOrNull, recordOrEmpty } from '../json.js';

/** A url found in a block, with the title Anthropic gave it. */
type FoundSource = { url: string; title: string | null };

/**
 * One document per url, in the order first seen; `null` when the blocks retrieved nothing.
 * A document's text is the page title: the page content of a search result comes only
 * encrypted, and is never recorded.
 */
export function retrievedDocuments(blocks: Record<string, unknown>[]): RetrievedDocument[] | null {
  const documents = new Map<string, RetrievedDocument>();
  for (const { url, title } of blocks.flatMap(blockSources)) {
    if (documents.has(url)) continue;
    documents.set(url, { id: null, source: url, text: title, sha256: null, score: null });
  }
  return documents.size > 0 ? [...documents.values()] : null;
}

function blockSources(block: Record<string, unknown>): FoundSource[] {
  switch (block.type) {
    case 'web_search_tool_result':
      // Its content is a list of results, or one `web_search_tool_result_error` object.
      return arrayOrEmpty(block.content)
        .filter(isRecord)
        .filter((result) => result.type === 'web_search_result')
        .flatMap((result) => foundSource(result.url, result.title));
    case 'web_fetch_tool_result': {
      const result = recordOrEmpty(block.content);
      if (result.type !== 'web_fetch_result') return [];
      return foundSource(result.url, recordOrEmpty(result.content).title);
    }
    case 'text':
      // Only web search citations name a url; document citations point into the request.
      return arrayOrEmpty(block.citations)
        .filter(isRecord)
        .flatMap((citation) => foundSource(citation.url, citation.title));
    default:
      return [];
  }
}

function foundSource(url: unknown, title: unknown): FoundSource[] {
  const source = nonEmptyStringOrNull(url);
  return source === null ? [] : [{ url: source, title: nonEmptyStringOrNull(title) }];
}
