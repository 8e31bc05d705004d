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

const EMAIL = /[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,24}/gu;

/** E-mail addresses whose domain ends in a real top-level domain. */
export function findEmails({ text }: DetectorInput): Candidate[] {
  if (!text.includes('@')) return [];
  const found: Candidate[] = [];
  for (const match of matches(text, EMAIL)) {
    let start = match.index;
    // A local part does not start or end with a dot.
    while (text[start] === '.') start += 1;
    const end = match.index + match[0].length;
    const host = text.slice(text.indexOf('@', start) + 1, end);
    const validated = knownTopLevelDomain(host);
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

const MAC = /(?<![\w:-])[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}(?![\w:-])/giu;
const MAC_DOTTED = /\b[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\b/giu;

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
