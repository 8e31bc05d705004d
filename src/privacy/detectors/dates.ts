import { hasContext, matches } from '../context.js';
import type { Candidate, DetectorInput } from '../types.js';

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const DATE = new RegExp(
  String.raw`\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+(?:${MONTHS})\.?,?\s+\d{4}|(?:${MONTHS})\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b`,
  'giu',
);
const BIRTH_WORDS = /\b(?:born|birth|dob|d\.o\.b\.?|birthday|birthdate|date of birth)\b/i;

/** Dates of birth: a date with a birth context word shortly before it. */
export function findDatesOfBirth({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  if (!BIRTH_WORDS.test(text)) return found;
  for (const match of matches(text, DATE)) {
    const start = match.index;
    const end = start + match[0].length;
    if (!hasContext(text, start, end, BIRTH_WORDS, 40)) continue;
    found.push({
      type: 'date_of_birth',
      start,
      end,
      score: 0.85,
      detector: 'date_of_birth',
      validated: false,
    });
  }
  return found;
}

const AGE =
  /\b(?:(?:aged?|age of|age:)\s*(\d{2,3})|(\d{2,3})[- ](?:years?|yrs?)[- ]old|(\d{2,3})\s*(?:y\/o|yo)\b)/gi;

/** Ages over 89, which HIPAA's safe harbour (45 CFR 164.514(b)(2)(i)(C)) treats as identifying. */
export function findAges({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  if (!/\d\d/.test(text)) return found;
  for (const match of matches(text, AGE)) {
    const value = match[1] ?? match[2] ?? match[3] ?? '';
    const age = Number(value);
    if (age <= 89 || age > 130) continue;
    const start = match.index + match[0].indexOf(value);
    found.push({
      type: 'age',
      start,
      end: start + value.length,
      score: 0.8,
      detector: 'age',
      validated: false,
    });
  }
  return found;
}
