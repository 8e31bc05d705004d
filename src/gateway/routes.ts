/**
 * `routes:`: a model name callers use, mapped to provider and model targets tried in order.
 * A route applies where the model is named in the request body (OpenAI's and Anthropic's
 * APIs); the gateway writes each target's model into the body it sends.
 */
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/schema.js';
import type { ProviderType, Rewrite } from '../event/types.js';
import { parseJson } from '../providers/json.js';
import { scanObject, skipWhitespace } from '../providers/json-spans.js';
import type { Provider } from './routing.js';

/** One target of a route, resolved to its provider. */
export type RouteStep = { provider: Provider; model: string };

/** A route as the gateway applies it. */
export type Route = { model: string; family: RouteFamily; targets: RouteStep[] };

/** Provider types whose requests can stand in for one another: the same API, model in body. */
type RouteFamily = 'openai' | 'anthropic';

/** The route family of a provider type; `null` for types whose path names the model. */
export function routeFamilyOf(type: ProviderType): RouteFamily | null {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
      return 'openai';
    case 'azure':
      // Azure's `/openai/v1/...` paths take OpenAI's bodies, the deployment as the model.
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    default:
      // TODO(#4): Gemini and Bedrock name the model in the path; a route to them would
      // rewrite the path, not the body.
      return null;
  }
}

/** An OpenAI operation path, as OpenAI-style servers (`/v1/...`) or Azure (`/openai/v1/...`) serve it. */
const OPENAI_OPERATION = /^\/(openai\/)?v1\/(chat\/completions|responses|embeddings)(\?.*)?$/s;

/**
 * The path a route's target takes for a request sent to `path`: the same operation in the
 * target's own form (Azure's `/openai/v1/...` or everyone else's `/v1/...`; a query string
 * goes along only within one form). `null` when the request's path cannot be routed: Azure's
 * deployment paths name the model in the path.
 */
export function routedPath(
  path: string,
  sourceType: ProviderType,
  type: ProviderType,
): string | null {
  if (routeFamilyOf(sourceType) !== 'openai') return path;
  const match = OPENAI_OPERATION.exec(path);
  if (!match?.[2]) return null;
  const sourceIsAzure = match[1] !== undefined;
  if (sourceIsAzure !== (sourceType === 'azure')) return null;
  const targetIsAzure = type === 'azure';
  const query = sourceIsAzure === targetIsAzure ? (match[3] ?? '') : '';
  return `${targetIsAzure ? '/openai/v1/' : '/v1/'}${match[2]}${query}`;
}

/**
 * Resolves `routes:` against the providers; throws ConfigError naming each target that names
 * no provider, a provider a route cannot reach, or a mix of API families in one route.
 */
export function resolveRoutes(
  routes: Config['routes'],
  providers: Map<string, Provider>,
): Map<string, Route> {
  const problems: string[] = [];
  const resolved = new Map<string, Route>();

  routes.forEach((route, routeIndex) => {
    if (resolved.has(route.model)) {
      problems.push(`routes.${routeIndex}.model: '${route.model}' is routed twice`);
    }
    const targets: RouteStep[] = [];
    let family: RouteFamily | null = null;
    route.targets.forEach((target, targetIndex) => {
      const path = `routes.${routeIndex}.targets.${targetIndex}.provider`;
      const provider = providers.get(target.provider);
      if (!provider) {
        problems.push(`${path}: names no configured provider, got '${target.provider}'`);
        return;
      }
      const targetFamily = routeFamilyOf(provider.type);
      if (targetFamily === null) {
        const types = 'openai, openai-compatible, azure or anthropic';
        problems.push(`${path}: expected a provider of type ${types}, got ${provider.type}`);
        return;
      }
      if (family !== null && targetFamily !== family) {
        problems.push(`${path}: expected a provider of the ${family} family, got ${provider.type}`);
        return;
      }
      family = targetFamily;
      targets.push({ provider, model: target.model });
    });
    if (family !== null) resolved.set(route.model, { model: route.model, family, targets });
  });

  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

/**
 * The body with its top-level `model` set to `model`, every other byte unchanged; `null` when
 * the body is not a JSON object with a `model` member.
 */
export function rewriteModel(
  body: Buffer,
  model: string,
  reason: string,
): { body: Buffer; rewrite: Rewrite } | null {
  const top = scanObject(body, skipWhitespace(body, 0));
  // JSON.parse keeps the last of repeated keys, so the edit goes to the last one too.
  const member = top?.members.findLast((candidate) => candidate.key === 'model');
  if (!member) return null;
  const from = parseJson(body.subarray(member.valueStart, member.valueEnd).toString('utf8'));
  return {
    body: Buffer.concat([
      body.subarray(0, member.valueStart),
      Buffer.from(JSON.stringify(model)),
      body.subarray(member.valueEnd),
    ]),
    rewrite: { path: 'model', reason, from: from ?? null, to: model },
  };
}
