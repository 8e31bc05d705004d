/**
 * Whether one of the context words appears shortly before `start` (or after `end`, when
 * `after` is set). The pattern must bring its own word boundaries, so that "lic" inside
 * "public" is not a context word.
 */
export function hasContext(
  text: string,
  start: number,
  end: number,
  pattern: RegExp,
  window = 48,
  after = false,
): boolean {
  const before = text.slice(Math.max(0, start - window), start);
  if (pattern.test(before)) return true;
  return after && pattern.test(text.slice(end, end + window));
}

/**
 * Whether the characters either side of a span are not letters or digits (a whole token). A
 * character in `alsoRefuse` joined to a digit on the far side also refuses: with ".", a
 * number in a decimal (3.14159265358) is not a whole token, but one ending a sentence is.
 */
export function isolated(text: string, start: number, end: number, alsoRefuse = ''): boolean {
  const word = (character: string) => /[\p{L}\p{N}_]/u.test(character);
  const previous = text[start - 1] ?? ' ';
  const next = text[end] ?? ' ';
  if (word(previous) || word(next)) return false;
  if (alsoRefuse.includes(previous) && /\d/.test(text[start - 2] ?? '')) return false;
  return !(alsoRefuse.includes(next) && /\d/.test(text[end + 1] ?? ''));
}

/** Runs a global regular expression and yields each match with its offsets. */
export function* matches(text: string, pattern: RegExp): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match[0].length === 0) pattern.lastIndex += 1;
    yield match;
  }
}
