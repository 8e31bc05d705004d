import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import { hasContext, isolated, matches } from '../context.js';
import type { Candidate, DetectorInput } from '../types.js';

// The `tlds` package ships its list as JSON; require keeps it out of the import graph's
// attribute syntax.
const TOP_LEVEL_DOMAINS = new Set<string>(createRequire(import.meta.url)('tlds') as string[]);

/** Whether a host name ends in a top-level domain that exists (IANA's list, `tlds`). */
export function knownTopLevelDomain(host: string): boolean {
  const label = host.slice(host.lastIndexOf('.') + 1).toLowerCase();
  return TOP_LEVEL_DOMAINS.has(label);
}

const LOCAL_PART = /[\p{L}\p{N}._%+-]/u;
const DOMAIN = /(?:[\p{L}\p{N}-]+\.)+\p{L}{2,24}/uy;

/**
 * E-mail addresses whose domain ends in a real top-level domain. Each `@` is read outwards,
 * which is much cheaper than trying an address pattern at every position of the text.
 */
export function findEmails({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  let previousEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > previousEnd && LOCAL_PART.test(text[start - 1] as string)) start -= 1;
    // A local part does not start with a dot.
    while (text[start] === '.' && start < at) start += 1;
    if (start === at) continue;
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(text);
    if (!domain) continue;
    const end = at + 1 + domain[0].length;
    previousEnd = end;
    const validated = knownTopLevelDomain(domain[0]);
    found.push({
      type: 'email',
      start,
      end,
      score: validated ? 0.99 : 0.6,
      detector: 'email',
      validated,
    });
  }
  return found;
}

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`{}|\\^]+/giu;

/** URLs with a scheme or a `www.` host; a trailing sentence mark is left out. */
export function findUrls({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  if (!/https?:\/\/|www\./i.test(text)) return found;
  for (const match of matches(text, URL_PATTERN)) {
    const trimmed = match[0].replace(/[.,;:!?)\]]+$/u, '');
    found.push({
      type: 'url',
      start: match.index,
      end: match.index + trimmed.length,
      score: 0.9,
      detector: 'url',
      validated: false,
    });
  }
  return found;
}

const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]|\.\d)/g;
const IPV6 = /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/giu;
const VERSION_WORDS = /\b(?:version|ver|v|release|build|rev|revision)\.?\s*$/i;

/** IPv4 and IPv6 addresses that `net.isIP` accepts; a dotted quad after "version" is not one. */
export function findIpAddresses({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  if (/\d\.\d/.test(text)) {
    for (const match of matches(text, IPV4)) {
      if (isIP(match[0]) !== 4) continue;
      const start = match.index;
      if (hasContext(text, start, start, VERSION_WORDS, 16)) continue;
      found.push(ip(start, start + match[0].length, 0.95));
    }
  }
  if (text.includes(':')) {
    for (const match of matches(text, IPV6)) {
      const value = match[0];
      // A time (12:30:45) or a bare run of colons is not an address.
      if (!/[a-f]/i.test(value) && value.split(':').length < 5) continue;
      if (isIP(value) !== 6) continue;
      found.push(ip(match.index, match.index + value.length, 0.95));
    }
  }
  return found;
}

function ip(start: number, end: number, score: number): Candidate {
  return { type: 'ip', start, end, score, detector: 'ip', validated: true };
}

const MAC = /(?<![\w:-])[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}(?![\w:-])/gi;
const MAC_DOTTED = /\b[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\b/gi;

/** MAC addresses in colon, hyphen or Cisco dotted notation. */
export function findMacAddresses({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const pattern of [MAC, MAC_DOTTED]) {
    for (const match of matches(text, pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (!isolated(text, start, end)) continue;
      found.push({ type: 'mac', start, end, score: 0.9, detector: 'mac', validated: false });
    }
  }
  return found;
}
