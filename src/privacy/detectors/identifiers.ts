import { deaValid, luhnValid, npiValid } from '../checksums.js';
import { hasContext, matches } from '../context.js';
import type { Candidate, DetectorInput, EntityType } from '../types.js';

/**
 * An identifier introduced by a context word: the words, then up to a few joining words
 * ("number", "no.", "#", "is", ":"), then the value. Context words carry their own word
 * boundaries so that "lic" inside "public" never counts.
 */
type ContextRule = {
  type: EntityType;
  /** Lower-case fragments one of which the text must hold before the rule's pattern runs. */
  hints: string[];
  context: RegExp;
  value: RegExp;
  score: number;
  /** A further check on the value (checksums, a digit count); the finding is then validated. */
  check?: (value: string) => boolean;
  /** Whether a failed check drops the value (otherwise it only lowers the score). */
  required?: boolean;
};

const JOINERS = String.raw`(?:\s*(?:number|num|no\.?|nr\.?|id|#|code|is|was|:|=|-)\s*){0,4}`;

function rule(words: string, value: string, flags = 'giu'): RegExp {
  return new RegExp(String.raw`\b(?:${words})\b${JOINERS}\s*(${value})(?![\p{L}\p{N}])`, flags);
}

const RULES: ContextRule[] = [
  {
    type: 'drivers_license',
    hints: ['licen', 'lic', 'dl'],
    context: rule(
      String.raw`driver'?s?'?\s*licen[cs]e|driving\s*licen[cs]e|licen[cs]e|dl|lic\.?`,
      // Letters and digits, at least four digits, with at most two hyphens: licence formats
      // across US states (A1234567, 123-45-6789, F162823540116).
      String.raw`(?=[A-Z0-9-]*\d[A-Z0-9-]*\d[A-Z0-9-]*\d[A-Z0-9-]*\d)(?:[A-Z0-9]{1,6}(?:-[A-Z0-9]{1,8}){1,3}|[A-Z0-9]{4,16})`,
    ),
    // Case-sensitive here: a licence number is written in capitals, a base64 string is not.
    value: /^[A-Z0-9-]{5,20}$/,
    score: 0.85,
  },
  {
    type: 'passport',
    hints: ['passport'],
    context: rule('passport', String.raw`[A-Z0-9]{6,9}`, 'giu'),
    value: /^(?=.*\d)[A-Z0-9]{6,9}$/i,
    score: 0.85,
  },
  {
    type: 'medical_record',
    hints: ['mrn', 'medical', 'patient', 'chart'],
    context: rule(
      String.raw`mrn|medical\s*record|patient\s*(?:id|number)|chart\s*number`,
      String.raw`[A-Z0-9][A-Z0-9-]{3,14}`,
    ),
    value: /\d/,
    score: 0.85,
  },
  {
    type: 'health_plan_id',
    hints: [
      'health',
      'member',
      'insurance',
      'policy',
      'subscriber',
      'medicare',
      'medicaid',
      'beneficiary',
    ],
    context: rule(
      String.raw`health\s*plan|member\s*id|insurance\s*(?:id|number)|policy\s*(?:id|number)|subscriber\s*id|medicare|medicaid|beneficiary`,
      String.raw`[A-Z0-9][A-Z0-9-]{4,19}`,
    ),
    value: /\d/,
    score: 0.8,
  },
  {
    type: 'npi',
    hints: ['npi', 'national provider'],
    context: rule('npi|national provider', String.raw`\d{10}`),
    value: /^\d{10}$/,
    score: 0.7,
    check: npiValid,
  },
  {
    type: 'device_id',
    hints: ['imei'],
    context: rule('imei', String.raw`\d{15}|\d{2}-\d{6}-\d{6}-\d`),
    value: /\d/,
    score: 0.75,
    check: (value) => luhnValid(value.replace(/\D/g, '')),
  },
  {
    type: 'device_id',
    hints: ['device', 'udid', 'idfa', 'idfv', 'gaid', 'android', 'advertising', 'serial', 'meid'],
    context: rule(
      String.raw`device|udid|idfa|idfv|gaid|android\s*id|advertising\s*id|serial(?:\s*number)?|meid`,
      String.raw`[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}|[0-9A-F]{14,16}|[A-Z0-9]{8,20}`,
    ),
    value: /\d/,
    score: 0.75,
  },
];

/** Identifiers that only context makes: licences, passports, records, plans, NPI, devices. */
export function findContextIdentifiers({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  const lower = text.toLowerCase();
  for (const item of RULES) {
    if (!item.hints.some((hint) => lower.includes(hint))) continue;
    for (const match of matches(text, item.context)) {
      const value = match[1] ?? '';
      if (!item.value.test(value)) continue;
      const end = match.index + match[0].length;
      const start = end - value.length;
      const checked = item.check ? item.check(value) : false;
      if (item.check && !checked && item.required) continue;
      found.push({
        type: item.type,
        start,
        end,
        score: checked ? 0.95 : item.score,
        detector: item.type,
        validated: checked,
      });
    }
  }
  return found;
}

const DEA = /(?<![\p{L}\p{N}])[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}(?![\p{L}\p{N}])/gu;
const DEA_WORDS = /\b(?:dea|registration|prescriber)\b/i;

/** DEA registration numbers: the registrant letter, a second letter and seven digits that check. */
export function findDeaNumbers({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const match of matches(text, DEA)) {
    if (!deaValid(match[0])) continue;
    const start = match.index;
    const end = start + match[0].length;
    const context = hasContext(text, start, end, DEA_WORDS, 40);
    found.push({
      type: 'dea',
      start,
      end,
      score: context ? 0.95 : 0.6,
      detector: 'dea',
      validated: true,
    });
  }
  return found;
}
