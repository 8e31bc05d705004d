/** Every type of entity the detectors report (INTERFACE.md, `auditgate privacy scan`). */
export const ENTITY_TYPES = [
  'person',
  'email',
  'phone',
  'address',
  'date_of_birth',
  'age',
  'ssn',
  'itin',
  'credit_card',
  'iban',
  'bank_account',
  'routing_number',
  'medical_record',
  'health_plan_id',
  'npi',
  'dea',
  'drivers_license',
  'passport',
  'ip',
  'mac',
  'url',
  'device_id',
  'secret',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * One entity found in a text: offsets in UTF-16 code units (JavaScript string indexes), `end`
 * exclusive; `score` from 0 to 1; `detector` names the rule that found it.
 */
export type Finding = {
  type: EntityType;
  start: number;
  end: number;
  score: number;
  detector: string;
};

/** A finding before overlaps are settled; `validated` means a checksum or a library agreed. */
export type Candidate = Finding & { validated: boolean };

/** What a scan looks for. */
export type ScanOptions = {
  /** ISO 3166 regions whose national phone formats are read (default US and GB). */
  regions?: readonly string[];
  /** Only these types (default all). */
  types?: readonly EntityType[];
  /** Person names on or off (default on). */
  names?: boolean;
  /** Findings scoring below this are dropped (default 0.45). */
  minScore?: number;
};

/** What every detector gets: the text and the settled options. */
export type DetectorInput = {
  text: string;
  regions: readonly string[];
};

export type Detector = (input: DetectorInput) => Candidate[];
