import type { ProviderType } from '../event/types.js';
import type { Config, ProviderConfig, RetryConfig } from '../config/schema.js';
import { createBedrockSigner, type RequestSigner } from './aws-signing.js';
import { decodeSegment } from '../providers/paths.js';

/** A provider as the gateway uses it: its config resolved against the environment. */
export type Provider = {
  name: string;
  type: ProviderType;
  /** The base URL's origin (`https://api.groq.com`). */
  origin: string;
  /** The base URL's path before the provider's own paths (`/openai`), without a trailing slash. */
  pathPrefix: string;
  /** The key the gateway holds, if any; sent when the caller brings none. */
  apiKey: string | null;
  injectStreamUsage: boolean;
  /** Whether calls go to the built-in simulator instead of the real provider. */
  simulated: boolean;
  /** Azure: the `api-version` added to a request that names none. */
  apiVersion: string | null;
  /** Bedrock: signs each upstream request with the gateway's AWS credentials. */
  signer: RequestSigner | null;
  /** How failed attempts are tried again. */
  retry: RetryConfig;
};

/** No retries: one attempt, and the statuses a route still falls back on. */
export const NO_RETRY: RetryConfig = {
  attempts: 1,
  statusCodes: [429, 500, 502, 503, 504],
  backoffMs: 200,
  maxBackoffMs: 10_000,
};

/** The public endpoints used when no `providers:` are configured; callers bring their keys. */
const PUBLIC_PROVIDERS: Record<string, ProviderConfig> = {
  openai: { type: 'openai', baseUrl: 'https://api.openai.com' },
  anthropic: { type: 'anthropic', baseUrl: 'https://api.anthropic.com' },
  gemini: { type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' },
};

/**
 * What the simulator also answers for when no providers are configured: an Azure OpenAI
 * resource and a Bedrock region, so that `--simulate` and the demo show them too.
 */
const SIMULATED_EXTRAS: Record<string, ProviderConfig> = {
  azure: { type: 'azure', resource: 'simulated', apiVersion: '2024-10-21' },
  bedrock: { type: 'bedrock', region: 'us-east-1' },
};

/** Resolves the configured providers (or the public ones), pointed at the simulator if given. */
export function resolveProviders(
  config: Config,
  environment: NodeJS.ProcessEnv,
  simulatorUrl: string | null,
): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  const configured =
    config.providers ??
    (simulatorUrl === null ? PUBLIC_PROVIDERS : { ...PUBLIC_PROVIDERS, ...SIMULATED_EXTRAS });

  for (const [name, settings] of Object.entries(configured)) {
    const type = settings.type;
    const apiKey = settings.apiKey ?? (settings.apiKeyEnv ? environment[settings.apiKeyEnv] : null);
    // The simulator takes no signature: signing would only need credentials a demo lacks.
    const signs = type === 'bedrock' && simulatorUrl === null && settings.region;
    providers.set(name, {
      name,
      type,
      ...splitBaseUrl(simulatorUrl ?? baseUrlOf(settings)),
      apiKey: apiKey || null,
      injectStreamUsage: settings.injectStreamUsage ?? type === 'openai',
      simulated: simulatorUrl !== null,
      apiVersion: settings.apiVersion ?? null,
      signer: signs ? createBedrockSigner(settings.region as string) : null,
      retry: settings.retry ?? NO_RETRY,
    });
  }
  return providers;
}

/** The configured base URL, else the one the provider's resource or region names. */
function baseUrlOf(settings: ProviderConfig): string {
  if (settings.baseUrl) return settings.baseUrl;
  if (settings.type === 'azure') return `https://${settings.resource}.openai.azure.com`;
  // docs.aws.amazon.com/general/latest/gr/bedrock.html: Bedrock Runtime endpoints.
  if (settings.type === 'bedrock')
    return `https://bedrock-runtime.${settings.region}.amazonaws.com`;
  // The schema requires a baseUrl for every other type.
  throw new Error(`provider of type ${settings.type} has no baseUrl`);
}

/** Where a request path leads: the provider name it starts with and the provider's own path. */
export type RouteTarget = { providerName: string; providerPath: string };

/**
 * Splits `/{provider}/rest?query` into the name and `/rest?query`. `/v1/...` is the alias of
 * `/openai/v1/...`, so an SDK whose base URL is `http://host:4000/v1` works unchanged.
 */
export function routeTarget(url: string): RouteTarget {
  if (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?')) {
    return { providerName: 'openai', providerPath: url };
  }
  const match = /^\/([^/?#]*)(.*)$/s.exec(url);
  const providerName = decodeSegment(match?.[1] ?? '').toLowerCase();
  const rest = match?.[2] ?? '';
  return { providerName, providerPath: rest.startsWith('/') ? rest : `/${rest}` };
}

function splitBaseUrl(baseUrl: string): { origin: string; pathPrefix: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
}
