import type { ProviderType } from '../event/types.js';
import type { Config } from '../config/schema.js';

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
};

/** The public endpoints used when no `providers:` are configured; callers bring their keys. */
const PUBLIC_PROVIDERS: Record<string, { type: ProviderType; baseUrl: string }> = {
  openai: { type: 'openai', baseUrl: 'https://api.openai.com' },
  anthropic: { type: 'anthropic', baseUrl: 'https://api.anthropic.com' },
  gemini: { type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' },
};

/** Resolves the configured providers (or the public ones), pointed at the simulator if given. */
export function resolveProviders(
  config: Config,
  environment: NodeJS.ProcessEnv,
  simulatorUrl: string | null,
): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  const configured = config.providers ?? PUBLIC_PROVIDERS;

  for (const [name, entry] of Object.entries(configured)) {
    const settings = entry as Partial<NonNullable<Config['providers']>[string]>;
    const type = entry.type;
    const apiKey = settings.apiKey ?? (settings.apiKeyEnv ? environment[settings.apiKeyEnv] : null);
    providers.set(name, {
      name,
      type,
      ...splitBaseUrl(simulatorUrl ?? entry.baseUrl),
      apiKey: apiKey || null,
      injectStreamUsage: settings.injectStreamUsage ?? type === 'openai',
      simulated: simulatorUrl !== null,
    });
  }
  return providers;
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
  const providerName = safeDecode(match?.[1] ?? '').toLowerCase();
  const rest = match?.[2] ?? '';
  return { providerName, providerPath: rest.startsWith('/') ? rest : `/${rest}` };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function splitBaseUrl(baseUrl: string): { origin: string; pathPrefix: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
}
