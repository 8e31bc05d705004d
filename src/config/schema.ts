import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { budgetsConfigSchema, pricesConfigSchema } from '../cost/config.js';
import { ENTITY_TYPES } from '../privacy/types.js';

/** Names that a provider may not take: they are the gateway's own routes. */
export const RESERVED_NAMES = ['api', 'ui', 'v1', 'healthz', 'readyz', 'metrics'] as const;

const providerName = z
  .string()
  .regex(/^[a-z0-9]+$/, 'provider names are lower-case letters and digits')
  .refine((name) => !(RESERVED_NAMES as readonly string[]).includes(name), {
    message: `is reserved (${RESERVED_NAMES.join(', ')})`,
  });

/**
 * How a provider's failed attempts are tried again: `attempts` tries in all (the first
 * included), after a status in `statusCodes`, a connection error or a timeout, while nothing
 * has reached the client. Each wait is drawn at random below a ceiling that doubles from
 * `backoffMs` up to `maxBackoffMs` (full jitter); a `retry-after` header sets it instead,
 * never beyond `maxBackoffMs`.
 */
const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(10).default(1),
  statusCodes: z.array(z.number().int().min(400).max(599)).default([429, 500, 502, 503, 504]),
  backoffMs: z.number().int().min(0).default(200),
  maxBackoffMs: z.number().int().min(0).default(10_000),
});

const providerSchema = z
  .strictObject({
    type: z.enum(['openai', 'openai-compatible', 'anthropic', 'gemini', 'azure', 'bedrock']),
    /** Required but for `azure` (from `resource`) and `bedrock` (from `region`). */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** A key the gateway holds for this provider; used when the caller sends none. */
    apiKey: z.string().min(1).optional(),
    /** The environment variable holding that key. */
    apiKeyEnv: z.string().min(1).optional(),
    /**
     * Ask OpenAI chat streams for usage (`stream_options.include_usage`) when the caller did
     * not, and withhold the usage-only chunk from that caller. Default: on for `openai`.
     */
    injectStreamUsage: z.boolean().optional(),
    /** Azure OpenAI: the resource name in `https://{resource}.openai.azure.com`. */
    resource: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/i, 'must be an azure resource name')
      .optional(),
    /** Azure OpenAI: the `api-version` added to a request that names none. */
    apiVersion: z.string().min(1).optional(),
    /** Bedrock: the AWS region, which names the endpoint and signs each request. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an aws region such as us-east-1')
      .optional(),
    retry: retrySchema.optional(),
  })
  .superRefine((provider, context) => {
    const needs = (key: 'baseUrl' | 'resource' | 'region', message: string) =>
      context.addIssue({ code: 'custom', path: [key], message, input: provider[key] });
    if (provider.type === 'bedrock' && !provider.region) {
      needs('region', 'is required for a bedrock provider');
    } else if (provider.type === 'azure' && !provider.resource && !provider.baseUrl) {
      needs('resource', 'is required for an azure provider, unless it has a base url');
    } else if (!['azure', 'bedrock'].includes(provider.type) && !provider.baseUrl) {
      needs('baseUrl', `is required for a provider of type ${provider.type}`);
    }
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
 * cannot be `keep`: keeping a type in the clear is said type by type. Detection failing always
 * stores the content fully redacted; `failureMode: refuse` also scans a call's request before
 * it is forwarded and refuses the call if detection fails (off by default: it puts detection
 * on the response path).
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
  failureMode: z.enum(['redact', 'refuse']).default('redact'),
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

/** Where signed checkpoints are published besides the store. */
const publishSchema = z.discriminatedUnion('type', [
  /** Appends each checkpoint note to a file, never rewriting it. */
  z.strictObject({ type: z.literal('file'), path: z.string().min(1) }),
  /** POSTs each checkpoint as JSON, signed with `x-auditgate-signature`, retried with backoff. */
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
    secretEnv: z.string().min(1).optional(),
  }),
]);

const ledgerSchema = z.strictObject({
  /** Off only to measure what the ledger costs; events then have no leaves. */
  enabled: z.boolean().default(true),
  /** Sign a checkpoint once this many events arrived since the last. */
  checkpointEvery: z.number().int().positive().default(1000),
  /** And at least this often (milliseconds) while events arrive; 0 turns the timer off. */
  checkpointIntervalMs: z.number().int().nonnegative().default(10_000),
  /** An Ed25519 private key (PKCS #8 PEM); default: generated once into the data folder. */
  keyPath: z.string().min(1).optional(),
  publish: z.array(publishSchema).default([]),
});
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
  /** Model names callers use, each tried on its targets in order (checked at start). */
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
  usage: z
    .strictObject({ estimateWhenMissing: z.boolean().default(false) })
    .default({ estimateWhenMissing: false }),
  privacy: privacySchema.default({
    regions: ['US', 'GB'],
    names: true,
    strategies: {},
    defaultStrategy: 'redact',
    failureMode: 'redact',
  }),
  ledger: ledgerSchema.default({
    enabled: true,
    checkpointEvery: 1000,
    checkpointIntervalMs: 10_000,
    publish: [],
  }),
  policies: z
    .array(ruleSchema)
    .default([])
    .refine((rules) => new Set(rules.map((rule) => rule.id)).size === rules.length, {
      message: 'rule ids must be unique',
    }),
  prices: pricesConfigSchema.default({ import: [], models: {} }),
  budgets: budgetsConfigSchema.default([]),
  exporters: emptyList.default([]),
  retention: emptySection.default({}),
});

/** The configuration file's contents after validation and defaults. */
export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type RetryConfig = z.infer<typeof retrySchema>;
export type PrivacyConfig = z.infer<typeof privacySchema>;
export type CaptureConfig = Config['capture'];
export type LedgerConfig = z.infer<typeof ledgerSchema>;
export type PublishConfig = z.infer<typeof publishSchema>;

/** The top-level keys, for telling config variables from other `AUDITGATE_` variables. */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(configSchema.shape);
