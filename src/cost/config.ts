import { z } from 'zod';
import { modelPriceSchema } from './price-list.js';

/** `prices:` overrides and extends the bundled price list. */
export const pricesConfigSchema = z.strictObject({
  /** LiteLLM-format price files (`model_prices_and_context_window.json`), read at start. */
  import: z.array(z.string().min(1)).default([]),
  /** Model name (or `section/model`) to its price, over the bundled list and the imports. */
  models: z
    .record(z.string().min(1), modelPriceSchema.extend({ provider: z.string().min(1).optional() }))
    .default({}),
});

/** What a budget counts spend by: the attribution dimension of a call. */
export const BUDGET_SCOPES = [
  'key',
  'team',
  'businessUnit',
  'project',
  'app',
  'user',
  'agent',
  'trace',
] as const;

export type BudgetScope = (typeof BUDGET_SCOPES)[number];

const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** The HMAC-SHA-256 secret that signs each POST, or the environment variable holding it. */
  secret: z.string().min(16, 'must be at least 16 characters').optional(),
  secretEnv: z.string().min(1).optional(),
});

const budgetSchema = z
  .strictObject({
    /** Named in refusals, alerts and events; unique. */
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore'),
    scope: z.enum(BUDGET_SCOPES),
    /** The one value counted (a team id, say); absent: each value is counted apart. */
    match: z.string().min(1).optional(),
    period: z.enum(['day', 'month', 'total']).default('day'),
    /** Hard limit in US dollars: a call whose worst case would pass it is blocked. */
    limitUsd: z.number().positive().optional(),
    /** Hard limit in tokens (input plus output). */
    limitTokens: z.number().int().positive().optional(),
    /** Spend at which a `budget.alert` event and the webhook fire, once a period. */
    alertAtUsd: z.number().positive().optional(),
    webhook: webhookSchema.optional(),
  })
  .refine((budget) => budget.limitUsd || budget.limitTokens || budget.alertAtUsd, {
    // Messages are lower-cased when reported, so the keys are named by the path instead.
    message: 'a budget needs a dollar limit, a token limit or an alert threshold',
    path: ['limitUsd'],
  });

export type BudgetConfig = z.infer<typeof budgetSchema>;

/** `budgets:` is a list of budgets, names unique. */
export const budgetsConfigSchema = z
  .array(budgetSchema)
  .refine((budgets) => new Set(budgets.map((budget) => budget.name)).size === budgets.length, {
    message: 'budget names must be unique',
  });

export type PricesConfig = z.infer<typeof pricesConfigSchema>;
