import { isEveryday, isPlacePhrase, wordKind } from '../lexicon.js';
import { matches } from '../context.js';
import type { Candidate, DetectorInput } from '../types.js';

type Token = { start: number; end: number; word: string };
type TokenClass = 'name' | 'unknown' | 'initial' | 'particle' | 'suffix' | 'honorific' | 'common';

const WORD = /\p{L}[\p{L}\p{M}'’]*(?:-\p{L}[\p{L}\p{M}'’]*)*\.?/gu;
const PARTICLES = new Set([
  'de',
  'van',
  'von',
  'der',
  'den',
  'da',
  'di',
  'del',
  'la',
  'le',
  'bin',
  'al',
  'ibn',
  'dos',
  'du',
  'ter',
  'ten',
]);
const SUFFIXES = new Set(['ii', 'iii', 'iv', 'jr', 'jr.', 'sr', 'sr.']);
const HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'sir',
  'madam',
  'dame',
  'lord',
  'lady',
  'rev',
  'fr',
]);
/** Words after which the next words name someone, whatever their case. */
const NAME_CUE =
  /(?:\bname is|\bname's|\bname:|\bname\?|\bnamed|\bcalled|\bi am|\bi'm|\bthis is|\bdear|\bhi|\bhello)\s*$/i;
/** Words after which a capitalised word is more likely someone's name. */
const SCORE_CUE =
  /(?:\bsigned|\bregards,|\bsincerely,|\bcontact|\bby:?|\bsays|\bsaid|\bpatient|\bclient|\bcustomer|\bfrom:|\bto:|\bcc:|\bauthor:?|\bmeet|\bwith|\bthank)\s*$/i;
const FUNCTION_WORDS = new Set([
  'the',
  'a',
  'an',
  'and',
  'or',
  'of',
  'is',
  'was',
  'in',
  'on',
  'at',
  'to',
  'his',
  'her',
  'my',
  'your',
]);
/** What follows a lone unknown word that opens a sentence and names someone: "Zak said". */
const ACTS_NEXT =
  /^(?::|,|\s+(?:and|is|was|said|says|shouted|spent|had|has|told|asked|replied|wrote|will)\b)/u;
const COMMON_ENDINGS =
  /(?:ies|tions?|ments?|ness|ings?|ologys?|ics|ities|ity|ship|ware|able|ible|ful|less|ously|ized?|ised?|izing|ising|ation|ance|ence)$/u;
/** Inner capitals (TypeScript, iPhone) mark a brand, not a name. */
const TECH_SHAPE = /\p{Ll}\p{Lu}/u;

/**
 * Person names from our own rules over compromise's lexicon: runs of capitalised words (or
 * capitals throughout) with given and family names from the lexicon, unknown words of a
 * name's shape, honorifics and cue phrases ("my name is") raising the score. Common English
 * words and known places are trimmed from a run's ends.
 */
export function findPeople({ text }: DetectorInput): Candidate[] {
  const tokens = [...matches(text, WORD)].map((match) => trimToken(match.index, match[0]));
  const found: Candidate[] = [];
  let index = 0;
  while (index < tokens.length) {
    const run = collectRun(text, tokens, index);
    if (run.length === 0) {
      index += 1;
      continue;
    }
    const candidate = scoreRun(text, run);
    if (candidate) found.push(candidate);
    // A run holds consecutive tokens, so the next run starts right after its last.
    index += run.length;
  }
  return found;
}

function trimToken(start: number, raw: string): Token {
  let word = raw;
  // Possessive 's and a sentence-final full stop are not part of the name.
  if (/['’]s$/u.test(word)) word = word.slice(0, -2);
  if (
    word.endsWith('.') &&
    !/^\p{L}\.$/u.test(word) &&
    !HONORIFICS.has(word.slice(0, -1).toLowerCase()) &&
    !SUFFIXES.has(word.toLowerCase())
  ) {
    word = word.slice(0, -1);
  }
  return { start, end: start + word.length, word };
}

function capitalised(word: string): boolean {
  // A cased letter that lower-casing changes; cheaper than a Unicode property test per token.
  const first = word.charAt(0);
  return first !== first.toLowerCase();
}

/**
 * The run of name-like tokens starting at `index`, joined by single spaces: capitalised words,
 * initials, particles between capitalised words. A lower-case token starts a run only right
 * after a cue phrase.
 */
function collectRun(text: string, tokens: Token[], index: number): Token[] {
  const first = tokens[index] as Token;
  const firstClass = classify(first.word);
  // Most tokens are everyday lower-case words, which never start a run: decide those first.
  if (firstClass === 'common' && !capitalised(first.word)) return [];
  const cued = NAME_CUE.test(text.slice(Math.max(0, first.start - 24), first.start));
  const lowerName = (word: string) => wordKind(word) === 'name' && !isEveryday(word);
  if (!capitalised(first.word) && !(cued && firstClass !== 'common')) {
    // A lower-case given name the lexicon does not know, before a family name it does.
    const next = tokens[index + 1];
    const before =
      classify(first.word) === 'unknown' &&
      next !== undefined &&
      text.slice(first.end, next.start) === ' ' &&
      lowerName(next.word);
    if (!lowerName(first.word) && !before) return [];
  }
  const lowerRun = !capitalised(first.word);
  const run = [first];
  for (let next = index + 1; next < tokens.length && run.length < 6; next += 1) {
    const token = tokens[next] as Token;
    const previous = run[run.length - 1] as Token;
    const gap = text.slice(previous.end, token.start);
    if (!/^[ \t]{1,2}$/.test(gap) || previous.word.endsWith(',')) break;
    if (
      /[.!?]$/.test(text.slice(previous.start, token.start).trim()) &&
      !isInitialOrTitle(previous.word)
    )
      break;
    const lower = !capitalised(token.word);
    if (lower && PARTICLES.has(token.word)) {
      run.push(token);
      continue;
    }
    const lowerOk =
      (cued || lowerRun) &&
      run.length < 3 &&
      (lowerName(token.word) || classify(token.word) === 'unknown');
    if (lower && !lowerOk) break;
    run.push(token);
  }
  while (run.length > 0 && PARTICLES.has((run[run.length - 1] as Token).word)) run.pop();
  return run;
}

function isInitialOrTitle(word: string): boolean {
  return /^\p{Lu}\.$/u.test(word) || HONORIFICS.has(word.replace(/\.$/, '').toLowerCase());
}

const classified = new Map<string, TokenClass>();

/** The class of a word, remembered: texts repeat their words. */
function classify(word: string): TokenClass {
  let known = classified.get(word);
  if (known === undefined) {
    if (classified.size > 100_000) classified.clear();
    known = classifyWord(word);
    classified.set(word, known);
  }
  return known;
}

function classifyWord(word: string): TokenClass {
  const bare = word.replace(/\.$/, '');
  const lower = bare.toLowerCase();
  if (/^\p{Lu}\.?$/u.test(word) && word !== 'I') return 'initial';
  if (PARTICLES.has(word)) return 'particle';
  if (SUFFIXES.has(lower) || SUFFIXES.has(word.toLowerCase())) return 'suffix';
  if (HONORIFICS.has(lower)) return 'honorific';
  // Short capitals (CO, USA, API) are abbreviations, and inner capitals (TypeScript) a brand.
  if (bare.length <= 3 && bare === bare.toUpperCase()) return 'common';
  if (TECH_SHAPE.test(bare.slice(1)) && !/^(?:Mc|Mac|O'|D')/u.test(bare)) return 'common';
  if (bare.length === 1) return 'common';
  const kind =
    wordKind(bare) ?? wordKind(bare.replace(/['’-]/g, '')) ?? contraction(bare.toLowerCase());
  if (kind === 'name') return 'name';
  if (kind === 'honorific') return 'honorific';
  if (kind) return 'common';
  // English inflections and derivations the lexicon lists only in their base form.
  if (COMMON_ENDINGS.test(lower)) return 'common';
  return 'unknown';
}

/** They're, We'll, Don't: the word before the apostrophe decides. */
function contraction(word: string): 'common' | null {
  const match = /^(\p{L}+)['’](?:re|ll|ve|d|m|t|s)$/u.exec(word);
  if (!match?.[1]) return null;
  return wordKind(match[1]) || /n$/.test(match[1]) ? 'common' : null;
}

function scoreRun(text: string, run: Token[]): Candidate | null {
  const classes = run.map((token) => classify(token.word));
  let first = 0;
  let last = run.length - 1;
  let honorific = false;
  while (
    first <= last &&
    ['common', 'honorific', 'particle', 'suffix', 'initial'].includes(classes[first] as string)
  ) {
    if (classes[first] === 'honorific') honorific = true;
    first += 1;
    if (honorific) break;
  }
  while (
    last >= first &&
    ['common', 'particle', 'honorific', 'initial'].includes(classes[last] as string)
  )
    last -= 1;
  if (first > last) return null;
  // After an honorific, a capitalised word is a name even if it is also a word (Mrs. Baker).
  if (honorific) {
    for (let index = first; index < classes.length; index += 1) {
      const word = (run[index] as Token).word;
      if (
        classes[index] === 'common' &&
        capitalised(word) &&
        !FUNCTION_WORDS.has(word.toLowerCase())
      ) {
        classes[index] = 'name';
        last = Math.max(last, index);
      }
    }
  }
  const kept = classes.slice(first, last + 1);
  if (kept.includes('common') && kept.filter((item) => item === 'name').length === 0) return null;
  const startToken = run[first] as Token;
  const endToken = run[last] as Token;
  const names = kept.filter((item) => item === 'name').length;
  const unknowns = kept.filter((item) => item === 'unknown').length;
  const words = names + unknowns;
  if (words === 0) return null;

  if (
    kept.length >= 2 &&
    isPlacePhrase(text.slice(startToken.start, endToken.end).replace(/\s+/g, ' '))
  ) {
    return null;
  }
  const before = text.slice(Math.max(0, startToken.start - 24), startToken.start);
  const cued = NAME_CUE.test(before) || SCORE_CUE.test(before);
  // Markdown list and emphasis marks (`- `, `4. **`) open a line like a sentence start.
  const opening = text
    .slice(Math.max(0, startToken.start - 40), startToken.start)
    .replace(/(?:[*_#>•-]+|\d+\.)[ \t]*$/u, '')
    .replace(/(?:[*_#>•-]+|\d+\.)[ \t]*$/u, '');
  const sentenceStart = /(?:^|[.!?:]\s+|\n\s*|["“(]\s*)$/u.test(opening);
  // A lone word in capitals is a heading or an acronym.
  if (words === 1 && kept.length === 1 && !cued && !honorific) {
    if (names === 0 && startToken.word === startToken.word.toUpperCase()) return null;
  }
  let score: number;
  if (honorific || (cued && words >= 1)) score = 0.9;
  else if (names >= 1 && kept.length >= 2) score = 0.9;
  else if (unknowns >= 2) score = 0.75;
  // A lone given name that is also an everyday word (Harmony, Grace, Will) needs a cue.
  else if (names === 1 && isEveryday(startToken.word)) score = 0.35;
  else if (names === 1) score = sentenceStart ? 0.6 : 0.7;
  else if (!sentenceStart || ACTS_NEXT.test(text.slice(endToken.end, endToken.end + 12)))
    score = 0.5;
  else score = 0.42;
  return {
    type: 'person',
    start: startToken.start,
    end: endToken.end,
    score,
    detector: 'person',
    validated: false,
  };
}
