import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { SETTING_NAMES } from '../event/capture.js';
import type { EventContent } from '../event/content.js';
import type {
  Message,
  MessagePart,
  PrivacyRecord,
  PrivacyStrategy,
  RetrievedDocument,
  ToolCall,
} from '../event/types.js';
import { DETECTORS_VERSION, scan } from './scan.js';
import type { EntityType, Finding, ScanOptions } from './types.js';

/** What the privacy gate needs: the scan settings, a strategy per type and its keys. */
export type ProtectionSettings = {
  scan: ScanOptions;
  /** Strategy per type; a type not named takes `defaultStrategy`. */
  strategies: Partial<Record<EntityType, PrivacyStrategy>>;
  defaultStrategy: PrivacyStrategy;
  /** Key of the pseudonyms' HMAC; the same value gives the same pseudonym under one key. */
  pseudonymKey: Buffer;
  /** AES-256-GCM key for `encrypt`. */
  encryptionKey: Buffer;
};

/** Content (and the request's parameters) after the gate, and what the gate did. */
export type ProtectedContent = {
  content: EventContent;
  parameters: Record<string, unknown> | null;
  privacy: PrivacyRecord;
};

/** Used when the caller configures nothing: names pseudonymised, every other type redacted. */
export const DEFAULT_STRATEGIES: Partial<Record<EntityType, PrivacyStrategy>> = {
  person: 'pseudonymise',
};

/**
 * Settings with keys of this process alone, for a writer given none: pseudonyms are then stable
 * only while the process lives, and encrypted values cannot be recovered after it.
 */
export function ephemeralSettings(): ProtectionSettings {
  return {
    scan: {},
    strategies: DEFAULT_STRATEGIES,
    defaultStrategy: 'redact',
    pseudonymKey: randomBytes(32),
    encryptionKey: randomBytes(32),
  };
}

/** The AES-256-GCM key derived from the admin token (TODO(#7): keys held by roles). */
export function encryptionKeyFromToken(adminToken: string): Buffer {
  return createHash('sha256').update(`auditgate privacy encryption\0${adminToken}`).digest();
}

/**
 * The one gate every piece of content passes before it reaches storage or an exporter: finds
 * PII and secrets in every string a person or a model wrote and applies each type's strategy.
 * If detection throws, every such string is stored as `[REDACTED]` and `failed` is set, so a
 * failure never lets content through in the clear.
 */
export function protectContent(
  content: EventContent,
  settings: ProtectionSettings,
  parameters: Record<string, unknown> | null = null,
): ProtectedContent {
  const counts = new Map<EntityType, number>();
  try {
    const mask: Mask = (text, key) => maskText(text, settings, counts, key ?? null);
    return {
      content: mapContent(content, mask),
      parameters: parameters && mapParameters(parameters, mask),
      privacy: record(counts, settings, false),
    };
  } catch {
    // The error may quote the text it failed on, so it is not passed on.
    const redact: Mask = () => REDACTED;
    return {
      content: mapContent(content, redact),
      parameters: parameters && mapParameters(parameters, redact),
      privacy: record(new Map(), settings, true),
    };
  }
}

/**
 * Runs detection over every string `protectContent` would mask, without masking, and throws
 * what detection throws: the check of `privacy.failureMode: refuse` before a call is forwarded.
 * Findings are remembered, so the writer does not scan the same texts again.
 */
export function checkDetection(
  content: EventContent,
  settings: ProtectionSettings,
  parameters: Record<string, unknown> | null = null,
): void {
  const detect: Mask = (text, key) => {
    if (text.length > 0)
      cachedScan(key === undefined ? text : `${contextPrefix(key)}${text}`, settings);
    return text;
  };
  mapContent(content, detect);
  if (parameters) mapParameters(parameters, detect);
}

/**
 * Strings in the request's parameters that are not settings (metadata, `user`, prompt
 * variables, stop sequences) can carry PII too; settings (model, effort, tool_choice) stay.
 */
function mapParameters(parameters: Record<string, unknown>, mask: Mask): Record<string, unknown> {
  const walk = (value: unknown, name: string): unknown => {
    if (typeof value === 'string') return SETTING_NAMES.has(name) ? value : mask(value, name);
    if (Array.isArray(value)) return value.map((item) => walk(item, name));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, key)]));
    }
    return value;
  };
  return walk(parameters, '') as Record<string, unknown>;
}

const REDACTED = '[REDACTED]';

function record(
  counts: Map<EntityType, number>,
  settings: ProtectionSettings,
  failed: boolean,
): PrivacyRecord {
  const findings = [...counts]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([type, count]) => ({ type, count, strategy: strategyFor(type, settings) }));
  return { detectorsVersion: DETECTORS_VERSION, findings, failed };
}

function strategyFor(type: EntityType, settings: ProtectionSettings): PrivacyStrategy {
  return settings.strategies[type] ?? settings.defaultStrategy;
}

/**
 * Masks one string. Findings never overlap and come in order, so the masked text is built in
 * one pass, whatever the number of findings (replacing each in a copy of the whole text would
 * take minutes on a long prompt full of them).
 * `key` is the JSON key the string sat under ("password", "card"): it is read as context
 * before the string, and nothing in it is masked.
 */
export function maskText(
  text: string,
  settings: ProtectionSettings,
  counts: Map<EntityType, number> = new Map(),
  key: string | null = null,
): string {
  if (text.length === 0) return text;
  const prefix = key === null ? '' : contextPrefix(key);
  const findings = cachedScan(prefix + text, settings)
    .filter((finding) => finding.end > prefix.length)
    .map((finding) => ({
      ...finding,
      start: Math.max(0, finding.start - prefix.length),
      end: finding.end - prefix.length,
    }));
  const parts: string[] = [];
  let cursor = 0;
  for (const finding of findings) {
    counts.set(finding.type, (counts.get(finding.type) ?? 0) + 1);
    const strategy = strategyFor(finding.type, settings);
    if (strategy === 'keep') continue;
    const value = text.slice(finding.start, finding.end);
    parts.push(
      text.slice(cursor, finding.start),
      replacement(finding.type, value, strategy, settings),
    );
    cursor = finding.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** A JSON key read as context before its string: `card_number` becomes `card number: `. */
function contextPrefix(key: string): string {
  return `${key.replace(/[_-]+/g, ' ')}: `;
}

/** Texts whose findings are remembered, per settings; a conversation resends its history. */
const CACHED_TEXTS = 5000;
const findingsCache = new WeakMap<ProtectionSettings, Map<string, Finding[]>>();

/**
 * `scan`, remembering the findings of the last texts seen under these settings, keyed by the
 * texts' SHA-256 (so the cache holds no content, only offsets and types): each call of a
 * chat resends every earlier message, which is then found again without a scan.
 */
function cachedScan(text: string, settings: ProtectionSettings): Finding[] {
  let cache = findingsCache.get(settings);
  if (!cache) {
    cache = new Map();
    findingsCache.set(settings, cache);
  }
  const key = createHash('sha256').update(text).digest('base64');
  const known = cache.get(key);
  if (known) {
    // Least recently used goes first: a hit moves to the end.
    cache.delete(key);
    cache.set(key, known);
    return known;
  }
  const findings = scan(text, settings.scan);
  if (cache.size >= CACHED_TEXTS) cache.delete(cache.keys().next().value as string);
  cache.set(key, findings);
  return findings;
}

function replacement(
  type: EntityType,
  value: string,
  strategy: PrivacyStrategy,
  settings: ProtectionSettings,
): string {
  const label = type.toUpperCase();
  switch (strategy) {
    case 'keep':
      return value;
    case 'redact':
      return `[${label}]`;
    case 'pseudonymise':
      return `[${label}_${pseudonym(type, value, settings.pseudonymKey)}]`;
    case 'partial':
      return partial(value);
    case 'encrypt':
      return `[${label}:enc:${encrypt(value, settings.encryptionKey)}]`;
  }
}

/**
 * A keyed HMAC-SHA-256 of the type and the value with case and spacing folded, so "Alice" and
 * "ALICE" are one token; 10 hex digits (40 bits) keep tokens apart within a tenant's data.
 */
function pseudonym(type: EntityType, value: string, key: Buffer): string {
  const folded = value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return createHmac('sha256', key).update(`${type}\0${folded}`).digest('hex').slice(0, 10);
}

/** Every letter and digit but the last four becomes `*`; separators stay. */
function partial(value: string): string {
  let keep = 4;
  const characters = [...value];
  for (let index = characters.length - 1; index >= 0; index -= 1) {
    if (!/[\p{L}\p{N}]/u.test(characters[index] as string)) continue;
    if (keep > 0) keep -= 1;
    else characters[index] = '*';
  }
  return characters.join('');
}

/** AES-256-GCM: base64url of the 12-byte IV, the ciphertext and the 16-byte tag (see recover.ts). */
function encrypt(value: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([iv, sealed]).toString('base64url');
}

type Mask = (text: string, key?: string) => string;

/**
 * Applies `mask` to every string a person or a model wrote: system prompt and instructions,
 * message and output parts, participant names, tool arguments and results, retrieved text,
 * refusals and error bodies. Roles, ids, types and tool names stay as they are; media blobs
 * stay too (TODO(#5): text in images and audio is not read).
 */
function mapContent(content: EventContent, mask: Mask): EventContent {
  const { request, response } = content;
  return {
    request: request && {
      ...request,
      system: request.system === null ? null : mask(request.system),
      messages: request.messages && request.messages.map((message) => mapMessage(message, mask)),
      retrieval:
        request.retrieval && request.retrieval.map((document) => mapDocument(document, mask)),
    },
    response: response && {
      ...response,
      output: response.output && response.output.map((message) => mapMessage(message, mask)),
      toolCalls: response.toolCalls && response.toolCalls.map((call) => mapToolCall(call, mask)),
      refusal: response.refusal === null ? null : mask(response.refusal),
      error: mapJson(response.error, mask),
    },
  };
}

function mapMessage<Item extends Message>(message: Item, mask: Mask): Item {
  return {
    ...message,
    ...(message.name === undefined ? {} : { name: mask(message.name) }),
    parts: message.parts.map((part) => mapPart(part, mask)),
  };
}

function mapPart(part: MessagePart, mask: Mask): MessagePart {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return { ...part, content: mask(part.content) };
    case 'tool_call':
      return { ...part, arguments: mapJson(part.arguments, mask) };
    case 'tool_call_response':
      return { ...part, response: mapJson(part.response, mask) };
    case 'file':
      return { ...part, name: part.name === null ? null : mask(part.name) };
    case 'uri':
      return part.uri.startsWith('data:') ? part : { ...part, uri: mask(part.uri) };
    case 'blob':
      return part;
  }
}

function mapToolCall(call: ToolCall, mask: Mask): ToolCall {
  return { ...call, arguments: mapJson(call.arguments, mask) };
}

function mapDocument(document: RetrievedDocument, mask: Mask): RetrievedDocument {
  return {
    ...document,
    text: document.text === null ? null : mask(document.text),
    source: document.source === null ? null : mask(document.source),
  };
}

/**
 * Every string in a JSON value (tool arguments, results, error bodies), read with its key as
 * context; keys stay. A number under a key is read as text too ({"card": 4111111111111111}).
 */
function mapJson(value: unknown, mask: Mask, key?: string): unknown {
  if (typeof value === 'string') return mask(value, key);
  if (typeof value === 'number' && key !== undefined && Number.isSafeInteger(value)) {
    const text = String(value);
    const masked = mask(text, key);
    return masked === text ? value : masked;
  }
  if (Array.isArray(value)) return value.map((item) => mapJson(item, mask, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, mapJson(item, mask, name)]),
    );
  }
  return value;
}
