import { z } from 'zod';

/** Names that a provider may not take: they are the gateway's own routes. */
export const RESERVED_NAMES = ['api', 'ui', 'v1', 'healthz', 'readyz', 'metrics'] as const;

const providerName = z
  .string()
  .regex(/^[a-z0-9]+$/, 'provider names are lower-case letters and digits')
  .refine((name) => !(RESERVED_NAMES as readonly string[]).includes(name), {
    message: `is reserved (${RESERVED_NAMES.join(', ')})`,
  });

const providerSchema = z.strictObject({
  type: z.enum(['openai', 'openai-compatible', 'anthropic', 'gemini', 'azure', 'bedrock']),
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** A key the gateway holds for this provider; used when the caller sends none. */
  apiKey: z.string().min(1).optional(),
  /** The environment variable holding that key. */
  apiKeyEnv: z.string().min(1).optional(),
  /**
   * Ask OpenAI chat streams for usage (`stream_options.include_usage`) when the caller did
   * not, and withhold the usage-only chunk from that caller. Default: on for `openai`.
   */
  injectStreamUsage: z.boolean().optional(),
});

const routeSchema = z.strictObject({
  model: z.string().min(1),
  targets: z
    .array(z.strictObject({ provider: z.string().min(1), model: z.string().min(1) }))
    .min(1),
});

const storeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sqlite'), path: z.string().min(1).optional() }),
  z.strictObject({ type: z.literal('postgres'), url: z.string().min(1) }),
]);

/** `auth.jwt`: bearer JWTs verified against a JWKS (a file or a URL), issuer and audience. */
const jwtSchema = z
  .strictObject({
    jwksFile: z.string().min(1).optional(),
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    issuer: z.string().min(1),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    claims: z
      .strictObject({
        user: z.string().min(1).default('sub'),
        team: z.string().min(1).optional(),
        roles: z.string().min(1).optional(),
      })
      .default({ user: 'sub' }),
  })
  .refine((jwt) => (jwt.jwksFile === undefined) !== (jwt.jwksUrl === undefined), {
    // The loader lower-cases messages, so this one names no key.
    message: 'expected exactly one of a jwks file and a jwks url',
    path: ['jwksFile'],
  });

/**
 * One rule of `policies:`, judged before the call leaves. It checks one thing: `allowModels`
 * (the only models calls in scope may name) or `maxTokens` (a cap on the output tokens asked).
 */
const ruleSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    scope: z
      .strictObject({
        teams: z.array(z.string().min(1)).min(1).optional(),
        apps: z.array(z.string().min(1)).min(1).optional(),
        agents: z.array(z.string().min(1)).min(1).optional(),
        models: z.array(z.string().min(1)).min(1).optional(),
        providers: z.array(z.string().min(1)).min(1).optional(),
      })
      .optional(),
    // TODO(#7): stage `after` (output checks), and actions mask, escalate and hold.
    stage: z.literal('before').default('before'),
    action: z.enum(['flag', 'block']),
    severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    allowModels: z.array(z.string().min(1)).min(1).optional(),
    maxTokens: z.number().int().positive().optional(),
  })
  .refine((rule) => (rule.allowModels === undefined) !== (rule.maxTokens === undefined), {
    // The loader lower-cases messages, so this one names no key.
    message: 'expected exactly one check: a list of allowed models or a max-tokens cap',
  });

/** Sections whose keys later work defines; until then only the empty value is valid. */
const emptySection = z.strictObject({});
const emptyList = z.array(z.never()).max(0);

export const configSchema = z.strictObject({
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  auth: z
    .strictObject({
      /** Refuse callers the gateway has not authenticated; default: beyond loopback only. */
      requireKey: z.boolean().optional(),
      jwt: jwtSchema.optional(),
    })
    .default({}),
  providers: z.record(providerName, providerSchema).optional(),
  // TODO(#4): routes and their fallbacks are validated but not applied yet.
  routes: z.array(routeSchema).default([]),
  store: storeSchema.default({ type: 'sqlite' }),
  durability: z.enum(['relaxed', 'strict']).default('relaxed'),
  limits: z
    .strictObject({
      maxBodyBytes: z.number().int().positive().default(33_554_432),
      upstreamTimeoutMs: z.number().int().positive().default(600_000),
    })
    .default({ maxBodyBytes: 33_554_432, upstreamTimeoutMs: 600_000 }),
  // TODO(#5): `mode` per application or route; one mode for every call until then.
  capture: z
    .strictObject({
      mode: z.enum(['full', 'hashes', 'metadata']).default('full'),
      maxContentBytes: z.number().int().positive().default(1_048_576),
    })
    .default({ mode: 'full', maxContentBytes: 1_048_576 }),
  // TODO(#8): estimate usage when the provider reports none.
  usage: z
    .strictObject({ estimateWhenMissing: z.boolean().default(false) })
    .default({ estimateWhenMissing: false }),
  privacy: emptySection.default({}),
  ledger: emptySection.default({}),
  policies: z
    .array(ruleSchema)
    .default([])
    .refine((rules) => new Set(rules.map((rule) => rule.id)).size === rules.length, {
      message: 'rule ids must be unique',
    }),
  prices: emptySection.default({}),
  budgets: emptyList.default([]),
  exporters: emptyList.default([]),
  retention: emptySection.default({}),
});

/** The configuration file's contents after validation and defaults. */
export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;

/** The top-level keys, for telling config variables from other `AUDITGATE_` variables. */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(configSchema.shape);
