import { matches } from '../context.js';
import type { Candidate, DetectorInput } from '../types.js';

type SecretRule = { name: string; pattern: RegExp; score: number };

/**
 * Credentials with a recognisable shape: each provider's documented key prefix, cloud access
 * keys, PEM private keys and JWTs. Placeholders ("YOUR_API_KEY_HERE", "sk-...") are not keys.
 */
const RULES: SecretRule[] = [
  { name: 'anthropic_key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, score: 0.99 },
  {
    name: 'openai_key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    score: 0.95,
  },
  { name: 'google_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, score: 0.99 },
  { name: 'aws_access_key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g, score: 0.99 },
  {
    name: 'github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})/g,
    score: 0.99,
  },
  { name: 'slack_token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, score: 0.99 },
  { name: 'stripe_key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, score: 0.99 },
  { name: 'huggingface_token', pattern: /\bhf_[A-Za-z0-9]{30,}/g, score: 0.95 },
  { name: 'groq_key', pattern: /\bgsk_[A-Za-z0-9]{40,}/g, score: 0.99 },
  { name: 'auditgate_key', pattern: /\bag[kt]_[A-Za-z0-9_-]{20,}/g, score: 0.99 },
  {
    name: 'private_key',
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    score: 0.99,
  },
  {
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    score: 0.97,
  },
  {
    name: 'azure_storage_key',
    pattern: /\bAccountKey=[A-Za-z0-9+/]{60,}={0,2}/g,
    score: 0.97,
  },
  {
    name: 'connection_string',
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]+:[^\s@/]{3,}@[^\s/]+/gi,
    score: 0.9,
  },
];

const KEY_VALUE =
  /\b(?:password|passwd|pwd|pass|passphrase|secret|client_secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|private[_-]?key|secret[_-]?key|aws_secret_access_key|credentials?)\b["']?\s*(?:[:=]|=>)\s*(["']?)([^\s"',;}]{4,200})\1/gi;
const PASSWORD_IS =
  /\b(?:password|passwd|passphrase)\s+is\s+(["']?)([^\s"']{4,100}?)\1(?=[\s.,;!?]*(?:\s|$))/gi;
const PLACEHOLDER =
  /^(?:<.*>|\$\{.*\}|\{\{.*\}\}|\*+|x+|\.{3}|(?:.*(?:your|here|example|placeholder|changeme|redacted|xxxx).*)|null|none|undefined|true|false|env|\$\w+|process\.env.*)$/i;

/** Provider keys, cloud credentials, private keys, JWTs, and passwords in key-value text. */
export function findSecrets({ text }: DetectorInput): Candidate[] {
  const found: Candidate[] = [];
  for (const rule of RULES) {
    for (const match of matches(text, rule.pattern)) {
      if (PLACEHOLDER.test(match[0])) continue;
      found.push(secret(match.index, match.index + match[0].length, rule.score, rule.name));
    }
  }
  for (const match of [...matches(text, KEY_VALUE), ...matches(text, PASSWORD_IS)]) {
    const value = match[2] ?? '';
    if (PLACEHOLDER.test(value)) continue;
    const end = match.index + match[0].length - (match[1] ?? '').length;
    found.push(secret(end - value.length, end, 0.85, 'key_value'));
  }
  return found;
}

function secret(start: number, end: number, score: number, name: string): Candidate {
  return { type: 'secret', start, end, score, detector: `secret:${name}`, validated: true };
}
