import { findAddresses } from './detectors/address.js';
import { findAges, findDatesOfBirth } from './detectors/dates.js';
import { findBankNumbers, findCards, findIbans, findSsns } from './detectors/financial.js';
import { findContextIdentifiers, findDeaNumbers } from './detectors/identifiers.js';
import { findEmails, findIpAddresses, findMacAddresses, findUrls } from './detectors/network.js';
import { findPeople } from './detectors/person.js';
import { findPhones } from './detectors/phone.js';
import { findSecrets } from './detectors/secrets.js';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { Candidate, Detector, EntityType, Finding, ScanOptions } from './types.js';

/** A scan asked for a region whose phone numbers libphonenumber-js does not know. */
export class UnknownRegionError extends Error {
  readonly code = 'unknown_region';

  constructor(region: string) {
    super(`regions: expected ISO 3166 alpha-2 regions such as US or FR, got '${region}'`);
    this.name = 'UnknownRegionError';
  }
}

/** Changes whenever a rule changes what is found; recorded in each event's `privacy`. */
export const DETECTORS_VERSION = '1';

/** Regions whose national phone formats are read when none are configured. */
export const DEFAULT_REGIONS: readonly string[] = ['US', 'GB'];

const DETECTORS: { detector: Detector; types: EntityType[] }[] = [
  { detector: findSecrets, types: ['secret'] },
  { detector: findEmails, types: ['email'] },
  { detector: findUrls, types: ['url'] },
  { detector: findIpAddresses, types: ['ip'] },
  { detector: findMacAddresses, types: ['mac'] },
  { detector: findIbans, types: ['iban'] },
  { detector: findCards, types: ['credit_card'] },
  { detector: findSsns, types: ['ssn', 'itin'] },
  { detector: findBankNumbers, types: ['bank_account', 'routing_number'] },
  { detector: findDeaNumbers, types: ['dea'] },
  {
    detector: findContextIdentifiers,
    types: ['drivers_license', 'passport', 'medical_record', 'health_plan_id', 'npi', 'device_id'],
  },
  { detector: findPhones, types: ['phone'] },
  { detector: findDatesOfBirth, types: ['date_of_birth'] },
  { detector: findAges, types: ['age'] },
  { detector: findAddresses, types: ['address'] },
  { detector: findPeople, types: ['person'] },
];

/**
 * Finds PII and secrets in a text. Where findings overlap, one validated by a checksum or a
 * library beats one that is not, then the higher score, then the longer span, except that an
 * unvalidated span holding others whole wins over them; the findings returned never overlap
 * and come in text order.
 */
export function scan(text: string, options: ScanOptions = {}): Finding[] {
  const regions = options.regions ?? DEFAULT_REGIONS;
  for (const region of regions) {
    if (!isSupportedCountry(region)) throw new UnknownRegionError(region);
  }
  const minScore = options.minScore ?? 0.45;
  const wanted = options.types ? new Set(options.types) : null;
  const candidates: Candidate[] = [];
  for (const { detector, types } of DETECTORS) {
    if (wanted && !types.some((type) => wanted.has(type))) continue;
    if (options.names === false && types.includes('person')) continue;
    for (const candidate of detector({ text, regions })) {
      if (candidate.score < minScore || candidate.end <= candidate.start) continue;
      if (wanted && !wanted.has(candidate.type)) continue;
      candidates.push(candidate);
    }
  }
  return settle(candidates, text.length);
}

/**
 * Keeps the best of overlapping candidates: validated before unvalidated, then by score, then
 * the longer span. Kept spans never overlap, so each text position has at most one owner; the
 * owner array makes each overlap check cost the candidate's own length, not the number of
 * spans kept (a text with tens of thousands of findings would otherwise take minutes).
 */
function settle(candidates: Candidate[], textLength: number): Finding[] {
  candidates.sort(
    (a, b) =>
      Number(b.validated) - Number(a.validated) ||
      b.score - a.score ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: (Candidate | null)[] = [];
  // For each position, 1 + the index in `kept` of the span covering it; 0 for none.
  const owner = new Int32Array(textLength + 1);
  const place = (candidate: Candidate) => {
    kept.push(candidate);
    owner.fill(kept.length, candidate.start, candidate.end);
  };

  for (const candidate of candidates) {
    const overlapping = new Set<number>();
    for (let position = candidate.start; position < candidate.end; position += 1) {
      const holder = owner[position] ?? 0;
      if (holder > 0) overlapping.add(holder - 1);
    }
    if (overlapping.size === 0) {
      place(candidate);
      continue;
    }
    // An unvalidated span that wholly contains unvalidated ones (a street holding a name)
    // takes their place, so that masking covers the whole of it.
    const others = [...overlapping].map((index) => kept[index] as Candidate);
    const swallows = others.every(
      (other) => !other.validated && other.start >= candidate.start && other.end <= candidate.end,
    );
    if (!candidate.validated && swallows && candidate.score >= 0.6) {
      for (const index of overlapping) kept[index] = null;
      place(candidate);
    }
  }
  return kept
    .filter((candidate): candidate is Candidate => candidate !== null)
    .sort((a, b) => a.start - b.start)
    .map(({ type, start, end, score, detector }) => ({ type, start, end, score, detector }));
}

/**
 * Builds the lexicon and compiles the rules now (about half a second), so that the first
 * event's scan does not stall the event loop while the gateway serves.
 */
export function prepareDetectors(): void {
  scan('Warm up: Ada Lovelace, ada@example.com, +44 20 7946 0958, 10 Downing Street.');
}
