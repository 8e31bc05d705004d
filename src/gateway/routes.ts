/**
 * `routes:`: a model name callers use, mapped to provider and model targets tried in order.
 * Where the API names the model in the body (OpenAI's, Anthropic's, Azure's v1 paths) the
 * gateway writes each target's model into the body; where the path names it (Gemini,
 * Bedrock, Azure's deployment paths) into the path. Each such change is a listed rewrite.
 */
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/schema.js';
import type { ProviderType, Rewrite } from '../event/types.js';
import { azureTarget } from '../providers/azure-openai/request.js';
import { parseJson } from '../providers/json.js';
import { scanObject, skipWhitespace } from '../providers/json-spans.js';
import type { Provider } from './routing.js';

/** One target of a route, resolved to its provider. */
export type RouteStep = { provider: Provider; model: string };

/** A route as the gateway applies it. */
export type Route = { model: string; family: RouteFamily; targets: RouteStep[] };

/** Provider types whose requests can stand in for one another: the same API and shapes. */
type RouteFamily = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

/** The route family of a provider type. */
export function routeFamilyOf(type: ProviderType): RouteFamily {
  switch (type) {
    case 'openai':
    case 'openai-compatible':
    case 'azure':
      // Azure takes OpenAI's bodies: on its v1 paths the body's model names the deployment.
      return 'openai';
    case 'anthropic':
    case 'gemini':
    case 'bedrock':
      return type;
  }
}

/** The rewrite's `path` for a model written into the request's URL path (HTTP/2's name). */
export const URL_PATH_REWRITE = ':path';

/** An OpenAI operation path, as OpenAI-style servers (`/v1/...`) or Azure (`/openai/v1/...`) serve it. */
const OPENAI_OPERATION = /^\/(openai\/)?v1\/(chat\/completions|responses|embeddings)(\?.*)?$/s;

/** Azure's classic deployment path: the deployment, the operation, the query. */
const AZURE_DEPLOYMENT =
  /^\/openai\/deployments\/([^/?]+)\/(chat\/completions|embeddings|responses)(\?.*)?$/s;

/** Gemini's model path (ai.google.dev/api/generate-content): version, model, method, query. */
const GEMINI_MODEL =
  /^\/(v1|v1beta|v1alpha)\/models\/([^/:?]+):(generateContent|streamGenerateContent)(\?.*)?$/s;

/** Bedrock's Converse path (API_runtime_Converse): model id, operation, query. */
const BEDROCK_CONVERSE = /^\/model\/([^/?]+)\/(converse|converse-stream)(\?.*)?$/s;

/**
 * The path a route's target takes for a request sent to `path` in the body-model family
 * (OpenAI's, Anthropic's): the same operation in the target's own form (Azure's
 * `/openai/v1/...` or everyone else's `/v1/...`; a query string goes along only within one
 * form). `null` when the path names the model itself (Azure's deployment paths).
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
 * The model name a request routes by: the deployment on Azure's deployment paths, else the
 * model the call asked for (from the body, or from the path on Gemini and Bedrock).
 */
export function routingModel(type: ProviderType, path: string, model: string | null) {
  if (type !== 'azure') return model;
  return azureTarget(path)?.deployment ?? model;
}

/** What one route target is sent: its path and body, and the rewrites that made them. */
export type TargetRequest = { path: string; body: Buffer; rewrites: Rewrite[] };

/**
 * The request a route's `step` is sent for a call that reached `source` on `path` with
 * `body`: the step's model written into the body or the path, as its API names it.
 * `null` when the call's path is not one a route can move (an operation of another kind).
 */
export function targetRequest(
  source: { provider: Provider; path: string; body: Buffer },
  step: RouteStep,
  reason: string,
): TargetRequest | null {
  const { path, body } = source;
  const { type } = source.provider;
  const family = routeFamilyOf(type);
  if (family === 'gemini') {
    const match = GEMINI_MODEL.exec(path);
    if (!match) return null;
    const [, version, , method, query] = match;
    // A Gemini caller may put its key in the query (`?key=`): it goes to no other provider.
    const sentQuery = step.provider === source.provider ? (query ?? '') : withoutKey(query ?? '');
    const pathname = `/${version}/models/${encodeURIComponent(step.model)}:${method}`;
    return pathTarget(path, pathname, sentQuery, body, reason);
  }
  if (family === 'bedrock') {
    const match = BEDROCK_CONVERSE.exec(path);
    if (!match) return null;
    const [, , operation, query] = match;
    const pathname = `/model/${encodeURIComponent(step.model)}/${operation}`;
    return pathTarget(path, pathname, query ?? '', body, reason);
  }
  const deployment = type === 'azure' ? AZURE_DEPLOYMENT.exec(path) : null;
  if (deployment) {
    const [, , operation, query] = deployment;
    if (step.provider.type === 'azure') {
      const pathname = `/openai/deployments/${encodeURIComponent(step.model)}/${operation}`;
      return pathTarget(path, pathname, query ?? '', body, reason);
    }
    // Another OpenAI-style provider takes the model in the body, on its own `/v1/` path.
    const written = writeModel(body, step.model, reason);
    if (!written) return null;
    return { path: `/v1/${operation}`, body: written.body, rewrites: [written.rewrite] };
  }
  const routed = routedPath(path, type, step.provider.type);
  if (routed === null) return null;
  const written = rewriteModel(body, step.model, reason);
  if (!written) return { path: routed, body, rewrites: [] };
  return { path: routed, body: written.body, rewrites: [written.rewrite] };
}

function pathTarget(
  path: string,
  pathname: string,
  query: string,
  body: Buffer,
  reason: string,
): TargetRequest {
  const from = path.split('?', 1)[0] ?? path;
  const rewrite = { path: URL_PATH_REWRITE, reason, from, to: pathname };
  return { path: `${pathname}${query}`, body, rewrites: from === pathname ? [] : [rewrite] };
}

/** A query string (`?...` or empty) without its `key` parameter. */
function withoutKey(query: string): string {
  if (query === '') return query;
  const parameters = new URLSearchParams(query.slice(1));
  if (!parameters.has('key')) return query;
  parameters.delete('key');
  const rest = parameters.toString();
  return rest === '' ? '' : `?${rest}`;
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

/**
 * The body with its top-level `model` set to `model`: the value rewritten where the body has
 * one, else the member inserted first in the object; `null` when the body is not an object.
 */
export function writeModel(
  body: Buffer,
  model: string,
  reason: string,
): { body: Buffer; rewrite: Rewrite } | null {
  const rewritten = rewriteModel(body, model, reason);
  if (rewritten) return rewritten;
  const open = skipWhitespace(body, 0);
  const top = scanObject(body, open);
  if (!top) return null;
  const member = `"model":${JSON.stringify(model)}${top.members.length > 0 ? ',' : ''}`;
  return {
    body: Buffer.concat([body.subarray(0, open + 1), Buffer.from(member), body.subarray(open + 1)]),
    rewrite: { path: 'model', reason, from: null, to: model },
  };
}
