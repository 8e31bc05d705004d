import { hasContext, matches } from '../context.js';
import { wordKind } from '../lexicon.js';
import type { Candidate, DetectorInput } from '../types.js';

const SUFFIX = String.raw`(?:street|streets|st\.?|road|rd\.?|avenue|ave\.?|av\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|court|ct\.?|way|place|pl\.?|square|sq\.?|terrace|parkway|pkwy|highway|hwy|circle|cir\.?|close|crescent|cres\.?|gardens|hill|hills|row|walk|trail|turnpike|route|gateway|fort|park|plaza|path|pike|alley|loop|run|heights|ridge|view|green|grove|mews|rise|vale|wharf|junction|crossing|port|point|expressway|freeway|causeway|center|centre|estate|manor|meadow|meadows|ville|str\.?)`;
const WORD = String.raw`[\p{L}\p{M}][\p{L}\p{M}'’.-]*`;
const NUMBER = String.raw`\d{1,6}[A-Za-z]?`;
/** A street word that carries its own "street" (Koskikatu, Feldstrasse, Mellemvej). */
const STREET_MORPHEME = String.raw`${WORD}(?:stra(?:ss|ß)e|str\.|gasse|weg|platz|allee|damm|katu|tie|polku|kuja|vej|gade|gata|gatan|vägen|veien|vegen|vei|laan|straat|plein|gracht|utca|ova|ska|ská|ská|ulica)`;
const STREET_PREFIX = String.raw`(?:rue|via|viale|calle|avenida|avenue|rua|rúa|piazza|corso|largo|plaza|carrer|ul\.|ulica|praça|travessa|strada|chaussée|boulevard|allée|impasse|quai|chemin|calle|camino|paseo|av\.|c\/)`;

const PATTERNS: { pattern: RegExp; score: number; needsContext?: boolean }[] = [
  // 3784 Archwood Avenue; 590 Edington Drive; 35 Pentelis Str.
  {
    pattern: new RegExp(
      String.raw`\b${NUMBER}(?:,?\s+${WORD}){1,4}?\s+${SUFFIX}(?![\p{L}])`,
      'giu',
    ),
    score: 0.85,
  },
  // Koskikatu 25, Feldstrasse 42, 6750 Koskikatu 25
  {
    pattern: new RegExp(String.raw`(?:\b${NUMBER}\s+)?\b${STREET_MORPHEME}\s+${NUMBER}\b`, 'gu'),
    score: 0.8,
  },
  // rue de la Hulotais, Via Roma 131, ul. Biskupa Bogedaina 118, avenida praia 1
  {
    pattern: new RegExp(
      String.raw`(?:\b${NUMBER}\s+)?(?<![\p{L}])${STREET_PREFIX}(?:\s+${WORD}){1,4}(?:\s+${NUMBER}\b)?`,
      'giu',
    ),
    score: 0.75,
  },
  // 1593 Pagari 18, 692 Kuuse 53: house number, street, number
  {
    pattern: new RegExp(
      String.raw`\b\d{1,6}\s+\p{Lu}${WORD}(?:\s+\p{Lu}${WORD})?\s+\d{1,4}\b\.?`,
      'gu',
    ),
    score: 0.7,
  },
  // Dunajska 56, Rahu 37: a capitalised word and a number, only after an address cue
  {
    pattern: new RegExp(String.raw`\b\p{Lu}${WORD}(?:\s+\p{Lu}${WORD}){0,2}\s+\d{1,4}\b`, 'gu'),
    score: 0.65,
    needsContext: true,
  },
  // Apt. 864, Suite 932, Unit 5B, Flat 3
  {
    pattern:
      /\b(?:apt\.?|apartment|suite|ste\.?|unit|flat|floor|fl\.|room|rm\.?|bldg\.?|building)\s*#?\s*\d{1,5}[A-Za-z]?\b/giu,
    score: 0.7,
  },
  // P.O. Box 104; PSC 0725, Box 6031; USS Lorenzen / FPO AE 25990
  { pattern: /\bP\.?\s?O\.?\s?Box\s+\d{1,6}\b/giu, score: 0.9 },
  { pattern: /\bPSC\s+\d{4},\s*Box\s+\d{4}\b/gu, score: 0.9 },
  { pattern: /\b(?:USS|USNS|USNV|USCGC)\s+\p{Lu}[\p{L}]+/gu, score: 0.8 },
  { pattern: /\b[APD]PO\s+A[AEP]\s+\d{5}\b/gu, score: 0.9 },
  // Herceg Gateway, Marina Fort: a named street without a number, only after an address cue
  {
    pattern: new RegExp(String.raw`\b\p{Lu}${WORD}\s+${SUFFIX}(?![\p{L}])`, 'gu'),
    score: 0.6,
    needsContext: true,
  },
  // UK postcode (SW1A 1AA), US ZIP after a state (, CA 94105)
  { pattern: /\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b/gu, score: 0.6 },
  { pattern: /,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/gu, score: 0.75 },
];

const ADDRESS_CUE =
  /\b(?:address|addr|live at|lives at|living at|located at|location|moved to|move to|send (?:it |them )?to|ship(?:ped)? to|deliver(?:ed)? to|corner of|drop(?:s|ped)? (?:you |me )?off at|taxi to|residence|street|resides at|mail(?:ed)? to|billing|shipping)\b/i;
/** An address line that may follow one found: capitalised words, numbers, commas. */
const FOLLOWING_LINE =
  /^[ \t]*(?:,[ \t]*|\n[ \t>]*|\n[ \t>]*,[ \t]*)([\p{Lu}\d(][\p{L}\p{M}\d.'’()-]*(?:[ \t]+[\p{Lu}\d(][\p{L}\p{M}\d.'’()-]*){0,4})/u;

/**
 * Postal addresses: street patterns in English and the common continental forms, flats and
 * suites, post boxes and military addresses, postcodes; each found part is then extended over
 * the lines that follow it (town, region, country, postcode) and parts close together merge.
 */
export function findAddresses({ text }: DetectorInput): Candidate[] {
  if (!/\d/.test(text)) return [];
  const parts: Candidate[] = [];
  for (const { pattern, score, needsContext } of PATTERNS) {
    for (const match of matches(text, pattern)) {
      let start = match.index;
      if (text[start] === ',') start = text.indexOf(match[0].trim().slice(1).trim(), start);
      const end = match.index + match[0].length;
      if (needsContext && !hasContext(text, start, end, ADDRESS_CUE, 60)) continue;
      parts.push({ type: 'address', start, end, score, detector: 'address', validated: false });
    }
  }
  return merge(text, parts).map((part) => extend(text, part));
}

/** Parts that overlap or sit a comma, a space or a line apart become one address. */
function merge(text: string, parts: Candidate[]): Candidate[] {
  const sorted = parts.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Candidate[] = [];
  for (const part of sorted) {
    const last = merged[merged.length - 1];
    if (last && part.start <= last.end + 3 && /^[\s,>]*$/.test(text.slice(last.end, part.start))) {
      last.end = Math.max(last.end, part.end);
      last.score = Math.min(0.95, Math.max(last.score, part.score) + 0.05);
    } else if (last && part.start < last.end) {
      last.end = Math.max(last.end, part.end);
    } else {
      merged.push({ ...part });
    }
  }
  return merged;
}

/**
 * Takes in up to four following lines that read like the rest of an address, up to the last
 * that holds a number, is written in capitals or names a known place (so a closing "Thanks" is
 * left out).
 */
function extend(text: string, part: Candidate): Candidate {
  let end = part.end;
  let scanned = part.end;
  for (let line = 0; line < 4; line += 1) {
    const match = FOLLOWING_LINE.exec(text.slice(scanned, scanned + 80));
    if (!match?.[1]) break;
    const words = match[1];
    // A following line is a place or a postcode, not a sentence or a labelled field.
    if (/:$/.test(words) || /\b(?:Phone|Mobile|Fax|Desk|Tel|E-?mail)\b/i.test(words)) break;
    scanned += match[0].length;
    if (/\d/.test(words) || words === words.toUpperCase() || namesPlace(words)) end = scanned;
  }
  return { ...part, end };
}

function namesPlace(words: string): boolean {
  return words.split(/[\s,()]+/).some((word) => wordKind(word) === 'place');
}
