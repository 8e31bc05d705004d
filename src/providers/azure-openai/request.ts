import type { ProviderApi } from '../types.js';
import { decodeSegment } from '../paths.js';

/**
 * Azure OpenAI's paths (learn.microsoft.com/azure/ai-foundry/openai/reference): the classic
 * `/openai/deployments/{deployment}/chat/completions` (and `/embeddings`, `/responses`), the
 * deployment-less `/openai/responses`, and the newer `/openai/v1/...` paths, where the body's
 * `model` names the deployment. Every one takes `?api-version=` (the v1 paths optionally).
 */
const DEPLOYMENT_PATH =
  /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|responses)$/;
const PLAIN_PATH = /^\/openai(?:\/v1)?\/(chat\/completions|embeddings|responses)$/;

/** Which OpenAI API a path speaks, and the deployment it names (if it names one). */
export type AzureTarget = { operation: string; deployment: string | null };

/** Reads an Azure OpenAI path; `null` for a path that is not one of its inference APIs. */
export function azureTarget(path: string): AzureTarget | null {
  const pathname = path.split('?', 1)[0] ?? '';
  const deployment = DEPLOYMENT_PATH.exec(pathname);
  if (deployment?.[1] && deployment[2]) {
    return { operation: deployment[2], deployment: decodeSegment(deployment[1]) };
  }
  const plain = PLAIN_PATH.exec(pathname);
  if (plain?.[1]) return { operation: plain[1], deployment: null };
  return null;
}

/**
 * An OpenAI API read on an Azure path: the deployment recorded beside the model, and the
 * deployment taken as the model asked for when the body names none (the classic paths).
 */
export function onDeployment(api: ProviderApi): ProviderApi {
  return {
    ...api,
    parseRequest(body, path) {
      const parsed = api.parseRequest(body, path);
      const deployment = azureTarget(path)?.deployment ?? null;
      return { ...parsed, model: parsed.model ?? deployment, deployment };
    },
  };
}
