import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { configSchema, TOP_LEVEL_KEYS, type Config } from './schema.js';

const ENV_PREFIX = 'AUDITGATE_';
/** `AUDITGATE_` variables that belong to the CLI, not to the configuration. */
const NOT_CONFIG = new Set(['AUDITGATE_URL']);

/** Reads, overlays and validates the configuration; throws ConfigError naming each bad key. */
export function loadConfig(options: { file?: string; environment?: NodeJS.ProcessEnv }): Config {
  const raw = options.file ? readConfigFile(options.file) : {};
  applyEnvironment(raw, options.environment ?? process.env);

  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  return result.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`]);
  }

  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`${file}: expected a mapping of keys at the top level`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Sets every `AUDITGATE_A__B_C=value` variable as the key `a.bC`, its value parsed as YAML.
 * Variables whose first name is not a configuration key are left to other readers.
 */
export function applyEnvironment(raw: Record<string, unknown>, environment: NodeJS.ProcessEnv) {
  for (const [name, value] of Object.entries(environment)) {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG.has(name) || value === undefined) continue;

    const path = name.slice(ENV_PREFIX.length).split('__').map(snakeToCamel);
    if (!path[0] || !TOP_LEVEL_KEYS.includes(path[0])) continue;

    setPath(raw, path, parseEnvironmentValue(value));
  }
}

/** `AUDITGATE_` variables that name no configuration key (names only, never values). */
export function ignoredEnvironment(environment: NodeJS.ProcessEnv): string[] {
  return Object.keys(environment).filter((name) => {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG.has(name)) return false;
    const first = snakeToCamel(name.slice(ENV_PREFIX.length).split('__')[0] ?? '');
    return !TOP_LEVEL_KEYS.includes(first);
  });
}

function parseEnvironmentValue(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}

function snakeToCamel(name: string): string {
  return name
    .toLowerCase()
    .replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

const SECRET_NAME = /token|key|secret|password/i;

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${path}.` : '';
    return issue.keys.map((key) => `${where}${key}: unknown key`).join('\n  - ');
  }
  if (issue.code === 'invalid_key') {
    const [inner] = issue.issues;
    return `${path}: ${(inner?.message ?? issue.message).toLowerCase()}`;
  }
  // The offending value helps, except where it may be a secret.
  const name = String(issue.path.at(-1) ?? '');
  const shown =
    issue.input === undefined || SECRET_NAME.test(name) ? '' : describeValue(issue.input);
  return `${path}: ${issue.message.toLowerCase()}${shown}`;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `, got ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
