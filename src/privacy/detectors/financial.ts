import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { abaValid, cardIssuer, luhnValid } from '../checksums.js';
import { hasContext, isolated, matches } from '../context.js';
import type { Candidate, DetectorInput } from '../types.js';

const CARD = /(?<![\d+])\d(?:[ -]?\d){11,18}(?!\d)/g;
const CARD_WORDS = /\b(?:card|cc|visa|mastercard|amex|credit|debit|pan)\b/i;

/**
 * Payment cards: 12 to 19 digits in one run or in the usual groups (4-4-4-4, 4-6-5), an issuer
 * range and the Luhn check. Digits that fail either are a card only with a context word nearby.
 */
export function findCards({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const match of matches(text, CARD)) {
    const value = match[0];
    const start = match.index;
    const end = start + value.length;
    if (!isolated(text, start, end, '.')) continue;
    const context = hasContext(text, start, end, CARD_WORDS, 40);
    // A grouped run may have taken in a number that follows; try it group by group shorter.
    for (const length of groupedLengths(value)) {
      const candidate = value.slice(0, length);
      if (!cardGrouping(candidate)) continue;
      const digits = candidate.replace(/\D/g, '');
      if (digits.length < 12) break;
      const issuer = cardIssuer(digits);
      const luhn = luhnValid(digits);
      if (issuer && luhn) {
        found.push(card(start, start + length, 0.97, true));
        break;
      }
      if (context && (issuer || luhn)) {
        found.push(card(start, start + length, 0.7, false));
        break;
      }
    }
  }
  return found;
}

/** The value's length, then the lengths ending before each separator, longest first. */
function groupedLengths(value: string): number[] {
  const lengths = [value.length];
  for (let index = value.length - 1; index > 0; index -= 1) {
    if (value[index] === ' ' || value[index] === '-') lengths.push(index);
  }
  return lengths;
}

/** Card numbers are written unbroken or grouped by fours (Amex and Diners 4-6-5 or 4-6-4). */
function cardGrouping(value: string): boolean {
  if (!/[ -]/.test(value)) return true;
  const groups = value.split(/[ -]/);
  if (new Set(value.match(/[ -]/g)).size > 1) return false;
  const lengths = groups.map((group) => group.length).join(',');
  if (/^4,6,[45]$/.test(lengths)) return true;
  return groups.slice(0, -1).every((group) => group.length === 4) && groups.length >= 3;
}

function card(start: number, end: number, score: number, validated: boolean): Candidate {
  return { type: 'credit_card', start, end, score, detector: 'credit_card', validated };
}

const IBAN = /(?<![\p{L}\p{N}])[a-z]{2}\d{2}(?:[ -]?[a-z0-9]){10,30}(?![\p{L}\p{N}])/giu;

/** IBANs in either case and with or without spaces, kept when mod 97 and the length agree. */
export function findIbans({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const match of matches(text, IBAN)) {
    const value = match[0];
    const electronic = electronicFormatIBAN(value.toUpperCase()) ?? '';
    // ibantools checks the country's length and format, and the mod 97 check digits.
    let end = match.index + value.length;
    let valid = isValidIBAN(electronic);
    // A greedy match may have swallowed a following word; try shorter groupings.
    if (!valid && value.includes(' ')) {
      const parts = value.split(' ');
      for (let count = parts.length - 1; count >= 1 && !valid; count -= 1) {
        const shorter = parts.slice(0, count).join(' ');
        if (isValidIBAN(shorter.toUpperCase().replace(/[ -]/g, ''))) {
          valid = true;
          end = match.index + shorter.length;
        }
      }
    }
    if (!valid) continue;
    found.push({
      type: 'iban',
      start: match.index,
      end,
      score: 0.99,
      detector: 'iban',
      validated: true,
    });
  }
  return found;
}

const SSN = /(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_WORDS = /\b(?:ssn|ss#|ss no|social security|social sec|ssa)\b/i;
const ITIN_WORDS = /\b(?:itin|taxpayer identification|tax id|tin)\b/i;

/**
 * US SSNs and ITINs. Both are 3-2-4 digits; SSA never issues area 000, 666 or 900-999, group
 * 00 or serial 0000, and an ITIN is a 9xx number with group 50-65, 70-88, 90-92 or 94-99.
 * Hyphenated numbers count alone; others need a context word.
 */
export function findSsns({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const match of matches(text, SSN)) {
    const [value, area = '', separator = '', group = '', serial = ''] = match;
    const start = match.index;
    const end = start + value.length;
    if (!isolated(text, start, end, '.')) continue;
    if (group === '00' || serial === '0000') continue;
    const groupNumber = Number(group);
    const itin =
      area.startsWith('9') &&
      ((groupNumber >= 50 && groupNumber <= 65) ||
        (groupNumber >= 70 && groupNumber <= 88) ||
        (groupNumber >= 90 && groupNumber <= 92) ||
        groupNumber >= 94);
    const ssnContext = hasContext(text, start, end, SSN_WORDS, 40);
    const itinContext = hasContext(text, start, end, ITIN_WORDS, 40);
    if (itin) {
      if (separator === '-' || itinContext) {
        found.push(id('itin', start, end, itinContext ? 0.95 : 0.75, true));
      }
      continue;
    }
    if (area === '000' || area === '666' || area.startsWith('9')) continue;
    if (ssnContext) found.push(id('ssn', start, end, 0.95, true));
    else if (separator === '-') found.push(id('ssn', start, end, 0.75, false));
  }
  return found;
}

const ACCOUNT_WORDS =
  /\b(?:account|acct|a\/c|bank account|checking|savings)(?:\s*(?:number|no\.?|#|num))?\s*(?:is|:|=)?\s*$/i;
const ROUTING_WORDS = /\b(?:routing|aba|rtn|transit)\b/i;
const DIGIT_RUN = /(?<![\p{L}\p{N}-])\d[\d -]{4,20}\d(?![\p{L}\p{N}])/gu;

/**
 * Bank account numbers (6 to 17 digits right after an account context word) and ABA routing
 * numbers (nine digits that pass the ABA check, near a routing context word).
 */
export function findBankNumbers({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const match of matches(text, DIGIT_RUN)) {
    const value = match[0].trimEnd();
    const digits = value.replace(/\D/g, '');
    const start = match.index;
    const end = start + value.length;
    if (digits.length === 9 && abaValid(digits) && hasContext(text, start, end, ROUTING_WORDS)) {
      found.push(id('routing_number', start, end, 0.95, true));
    } else if (
      digits.length >= 6 &&
      digits.length <= 17 &&
      hasContext(text, start, end, ACCOUNT_WORDS, 32)
    ) {
      found.push(id('bank_account', start, end, 0.8, false));
    }
  }
  return found;
}

function id(
  type: Candidate['type'],
  start: number,
  end: number,
  score: number,
  validated: boolean,
): Candidate {
  return { type, start, end, score, detector: type, validated };
}
