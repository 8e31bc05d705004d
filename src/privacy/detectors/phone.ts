import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { hasContext, matches } from '../context.js';
import type { Candidate, DetectorInput } from '../types.js';

const PHONE =
  /(?<![\p{L}\p{N}_.+\-/])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,5}(?:[ .-]?(?:\(0\)\s?)?\(?\d{1,5}\)?){1,6}(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?(?![\p{L}\p{N}_]|[-.]\d|\/)/gu;
const PHONE_WORDS =
  /\b(?:phone|ph|tel|telephone|mobile|mob|cell|cellphone|fax|call|called|calling|contact|reach|whatsapp|sms|text|dial|landline|desk|office|registered|hotline)\b/i;
const DATE_LIKE =
  /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?:[ T]\d{1,2})?$/;
const DECIMAL = /^-?\d+\.\d{1,2}$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Phone and fax numbers. libphonenumber-js decides whether a number is valid in one of the
 * configured regions (or, written with a `+`, anywhere); a formatted run of digit groups
 * counts with less confidence, and a bare run of digits only beside a context word.
 */
export function findPhones({ text, regions }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const match of phoneMatches(text)) {
    const value = match[0];
    const start = match.index;
    const end = start + value.length;
    const main = value.replace(/\s*(?:x|ext\.?|#)\s*\d+$/u, '');
    const digits = main.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    if (DATE_LIKE.test(main) || DECIMAL.test(main) || DOTTED_QUAD.test(main)) continue;
    // 3-2-4 is the SSN's shape; the SSN detector reads it.
    if (/^\d{3}-\d{2}-\d{4}$/.test(main)) continue;
    if (text[end] === ':' && /\d/.test(text[end + 1] ?? '')) continue;

    const formatted = /[ .\-()]/.test(main) || main.startsWith('+');
    const context = hasContext(text, start, end, PHONE_WORDS, 32, true);
    if (!formatted && !context) continue;

    if (validInRegion(main, regions)) {
      found.push(phone(start, end, 0.95, true));
    } else if (context) {
      found.push(phone(start, end, 0.8, false));
    } else if (formatted && groups(main) >= 2) {
      found.push(phone(start, end, 0.5, false));
    }
  }
  return found;
}

/** A cheap first pass: stretches of digits and phone punctuation long enough to hold one. */
const DIGIT_STRETCH = /[+(]?\d[\d ().-]{5,}/g;

/**
 * The phone pattern run only where a digit stretch starts, rather than tried at every
 * position of the text, which costs most of the time on prose.
 */
function* phoneMatches(text: string): Generator<RegExpExecArray> {
  let resumeAt = 0;
  for (const stretch of matches(text, DIGIT_STRETCH)) {
    const stretchEnd = stretch.index + stretch[0].length;
    if (stretchEnd <= resumeAt) continue;
    PHONE.lastIndex = Math.max(resumeAt, stretch.index);
    let match: RegExpExecArray | null;
    while ((match = PHONE.exec(text)) !== null && match.index < stretchEnd) {
      resumeAt = match.index + match[0].length;
      yield match;
      if (PHONE.lastIndex === match.index) PHONE.lastIndex += 1;
    }
    DIGIT_STRETCH.lastIndex = Math.max(DIGIT_STRETCH.lastIndex, resumeAt);
  }
}

function validInRegion(value: string, regions: readonly string[]): boolean {
  if (value.startsWith('+') || value.startsWith('00')) {
    const international = value.startsWith('00') ? `+${value.slice(2)}` : value;
    return parsePhoneNumberFromString(international)?.isValid() ?? false;
  }
  for (const region of regions) {
    const parsed = parsePhoneNumberFromString(value, region as CountryCode);
    if (parsed?.isValid()) return true;
  }
  return false;
}

function groups(value: string): number {
  return value.split(/[ .\-()]+/).filter((group) => group.length > 0).length;
}

function phone(start: number, end: number, score: number, validated: boolean): Candidate {
  return { type: 'phone', start, end, score, detector: 'phone', validated };
}
