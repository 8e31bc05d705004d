import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { ENTITY_TYPES } from '../privacy/types.js';

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

const privacyStrategy = z.enum(['keep', 'redact', 'pseudonymise', 'partial', 'encrypt']);

/**
 * The privacy gate before storage: which regions' phone formats to read, whether to look for
 * names, and a strategy per detected type. Every type not named takes `defaultStrategy`, which
 * cannot be `keep`: keeping a type in the clear is said type by type.
 * TODO(#5): `failureMode: refuse`, refusing a call whose detection fails, needs detection
 * before forwarding; only the store side fails closed (content fully redacted).
 */
const privacySchema = z.strictObject({
  regions: z
    .array(
      z
        .string()
        .refine(isSupportedCountry, 'expected an ISO 3166 alpha-2 region in capitals, such as FR'),
    )
    .min(1)
    .default(['US', 'GB']),
  names: z.boolean().default(true),
  strategies: z.partialRecord(z.enum(ENTITY_TYPES), privacyStrategy).default({}),
  defaultStrategy: privacyStrategy.exclude(['keep']).default('redact'),
});

/** A capture mode for the calls one override matches (by application, provider or model). */
const captureOverrideSchema = z
  .strictObject({
    app: z.string().min(1).optional(),
    provider: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    mode: z.enum(['full', 'hashes', 'metadata']),
  })
  .refine((item) => item.app ?? item.provider ?? item.model, {
    message: 'an override names at least one of app, provider or model',
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
  auth: z.strictObject({ requireKey: z.boolean().default(false) }).default({ requireKey: false }),
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
  capture: z
    .strictObject({
      mode: z.enum(['full', 'hashes', 'metadata']).default('full'),
      maxContentBytes: z.number().int().positive().default(1_048_576),
      /** The first override whose every named field matches a call sets its mode. */
      overrides: z.array(captureOverrideSchema).default([]),
    })
    .default({ mode: 'full', maxContentBytes: 1_048_576, overrides: [] }),
  // TODO(#8): estimate usage when the provider reports none.
  usage: z
    .strictObject({ estimateWhenMissing: z.boolean().default(false) })
    .default({ estimateWhenMissing: false }),
  privacy: privacySchema.default({
    regions: ['US', 'GB'],
    names: true,
    strategies: {},
    defaultStrategy: 'redact',
  }),
  ledger: emptySection.default({}),
  policies: emptyList.default([]),
  prices: emptySection.default({}),
  budgets: emptyList.default([]),
  exporters: emptyList.default([]),
  retention: emptySection.default({}),
});

/** The configuration file's contents after validation and defaults. */
export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type PrivacyConfig = z.infer<typeof privacySchema>;
export type CaptureConfig = Config['capture'];

/** The top-level keys, for telling config variables from other `AUDITGATE_` variables. */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(configSchema.shape);
