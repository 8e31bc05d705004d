import { createHash } from 'node:crypto';
import { z } from 'zod';
import bundled from './prices.json' with { type: 'json' };

/** US dollars per million tokens; `null` where the provider lists no price of its own. */
const rate = z.number().nonnegative();

const longContextSchema = z.strictObject({
  /** The tier applies to a call whose input (cached and cache-write tokens included) exceeds this. */
  aboveInputTokens: z.number().int().positive(),
  input: rate.optional(),
  cacheRead: rate.optional(),
  cacheWrite: rate.optional(),
  output: rate.optional(),
});

/** One model's prices, as the bundled file and the `prices:` section write them. */
export const modelPriceSchema = z.strictObject({
  /** The date this price took effect (the first day the source confirms it). */
  effectiveFrom: z.iso.date().optional(),
  /** The page the price was read from. */
  source: z.string().optional(),
  /**
   * `false` where the price is transcribed from third-party copies of the provider's page (two
   * that agree, both named in `source`) rather than read from the page itself.
   */
  verified: z.boolean().optional(),
  input: rate,
  cacheRead: rate.optional(),
  /** Cache writes, and the default (Anthropic 5-minute) lifetime's price where lifetimes differ. */
  cacheWrite: rate.optional(),
  /** Anthropic's 1-hour cache writes. */
  cacheWrite1h: rate.optional(),
  output: rate.optional(),
  /** Reasoning tokens, where priced apart from output; otherwise they are output. */
  reasoning: rate.optional(),
  longContext: longContextSchema.optional(),
  /** The fraction taken off by the provider's batch API (0.5 is half price). */
  batchDiscount: z.number().min(0).max(1).optional(),
  /** A fee per request, in US dollars (not per million). */
  perRequestUsd: rate.optional(),
  maxOutputTokens: z.number().int().nonnegative().optional(),
});

export type ModelPrice = z.infer<typeof modelPriceSchema>;

const sectionSchema = z.strictObject({
  source: z.string().optional(),
  batchDiscount: z.number().min(0).max(1).optional(),
  models: z.record(z.string().min(1), modelPriceSchema),
});

const priceFileSchema = z.strictObject({
  version: z.string().min(1),
  unit: z.literal('USD per million tokens'),
  providers: z.record(z.string().min(1), sectionSchema),
});

/** A price as looked up: the model's prices with the section's defaults applied. */
export type ResolvedPrice = ModelPrice & { section: string; model: string };

/** The price list in use: the bundled file, then LiteLLM imports, then `prices.models`. */
export type PriceList = {
  /** Recorded on every event's cost; changes whenever the prices in use change. */
  readonly version: string;
  /** The price of `model` as a provider of `providerType` (and gateway name `provider`) serves it. */
  lookup(model: string, providerType: string | null, provider: string | null): ResolvedPrice | null;
};

/** Which sections of the list serve a provider type; `openai-compatible` searches them all. */
const SECTIONS_BY_TYPE: Record<string, string[]> = {
  openai: ['openai'],
  azure: ['openai'],
  anthropic: ['anthropic'],
  gemini: ['gemini'],
  bedrock: ['bedrock'],
};

/**
 * The names a model id is looked up by, most exact first. The one rule: a trailing snapshot
 * date is dropped, OpenAI's `-YYYY-MM-DD` (`gpt-4.1-nano-2025-04-14` is `gpt-4.1-nano`) and
 * Anthropic's `-YYYYMMDD` (`claude-sonnet-4-5-20250929` is `claude-sonnet-4-5`); Gemini's
 * `models/` prefix is dropped too. Nothing else is guessed: `gpt-5.4` is not `gpt-5`.
 */
export function lookupNames(model: string): string[] {
  const bare = model.startsWith('models/') ? model.slice('models/'.length) : model;
  const family = bare.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');
  return family === bare ? [bare] : [bare, family];
}

type Sections = Map<string, { batchDiscount?: number; models: Map<string, ModelPrice> }>;

/** Options for `loadPriceList`: what `prices:` says, already read. */
export type PriceListInput = {
  /** LiteLLM-format files, parsed, in the order given. */
  imports?: { name: string; content: unknown }[];
  /** `prices.models`: model name (or `section/model`) to price. */
  models?: Record<string, ModelPrice & { provider?: string }>;
};

/** Builds the price list from the bundled file and the configuration's overrides. */
export function loadPriceList(input: PriceListInput = {}): PriceList {
  const file = priceFileSchema.parse(bundled);
  const sections: Sections = new Map();
  for (const [name, section] of Object.entries(file.providers)) {
    sections.set(name, {
      batchDiscount: section.batchDiscount,
      models: new Map(Object.entries(section.models)),
    });
  }

  const overrides: unknown[] = [];
  for (const imported of input.imports ?? []) {
    const entries = readLiteLlm(imported.content);
    for (const entry of entries) sectionFor(sections, entry.section).set(entry.model, entry.price);
    overrides.push({ import: imported.name, entries });
  }
  for (const [key, { provider, ...price }] of Object.entries(input.models ?? {})) {
    const slash = key.indexOf('/');
    const section = provider ?? (slash > 0 ? key.slice(0, slash) : '*');
    const model = slash > 0 && !provider ? key.slice(slash + 1) : key;
    sectionFor(sections, section).set(model, price);
    overrides.push({ section, model, price });
  }

  // The version names the bundled list and, when anything was overridden, a digest of what.
  const digest = createHash('sha256').update(JSON.stringify(overrides)).digest('hex');
  const version = overrides.length ? `${file.version}+config.${digest.slice(0, 8)}` : file.version;
  return { version, lookup: (model, type, provider) => lookup(sections, model, type, provider) };
}

function sectionFor(sections: Sections, name: string): Map<string, ModelPrice> {
  let section = sections.get(name);
  if (!section) {
    section = { models: new Map() };
    sections.set(name, section);
  }
  return section.models;
}

function lookup(
  sections: Sections,
  model: string,
  providerType: string | null,
  provider: string | null,
): ResolvedPrice | null {
  const byType = providerType ? SECTIONS_BY_TYPE[providerType] : undefined;
  // `*` holds overrides that name no provider; they win over every section.
  const order = ['*', ...(provider ? [provider] : []), ...(byType ?? [...sections.keys()])];
  for (const name of lookupNames(model)) {
    for (const sectionName of order) {
      const section = sections.get(sectionName);
      const price = section?.models.get(name);
      if (!price) continue;
      const batchDiscount = price.batchDiscount ?? section?.batchDiscount;
      return { ...price, batchDiscount, section: sectionName, model: name };
    }
  }
  return null;
}

/** Where LiteLLM's `litellm_provider` values land in our sections. */
const LITELLM_SECTIONS: Record<string, string> = {
  openai: 'openai',
  azure: 'openai',
  'text-completion-openai': 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  'vertex_ai-language-models': 'gemini',
  bedrock: 'bedrock',
  bedrock_converse: 'bedrock',
};

/** The LiteLLM fields read, per token (multiplied to per million here). */
const litellmEntry = z.looseObject({
  litellm_provider: z.string().optional(),
  input_cost_per_token: z.number().nonnegative().optional(),
  output_cost_per_token: z.number().nonnegative().optional(),
  cache_read_input_token_cost: z.number().nonnegative().optional(),
  cache_creation_input_token_cost: z.number().nonnegative().optional(),
  cache_creation_input_token_cost_above_1hr: z.number().nonnegative().optional(),
  output_cost_per_reasoning_token: z.number().nonnegative().optional(),
  input_cost_per_token_above_200k_tokens: z.number().nonnegative().optional(),
  output_cost_per_token_above_200k_tokens: z.number().nonnegative().optional(),
  cache_read_input_token_cost_above_200k_tokens: z.number().nonnegative().optional(),
  input_cost_per_token_batches: z.number().nonnegative().optional(),
  input_cost_per_request: z.number().nonnegative().optional(),
  max_output_tokens: z.number().int().nonnegative().optional(),
});

/**
 * Reads a price file in LiteLLM's `model_prices_and_context_window.json` shape. Entries without
 * `input_cost_per_token` are skipped (image, audio and per-second models are not token-priced).
 */
export function readLiteLlm(
  content: unknown,
): { section: string; model: string; price: ModelPrice }[] {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new TypeError('a LiteLLM price file must be a JSON object of model names');
  }
  const entries: { section: string; model: string; price: ModelPrice }[] = [];
  for (const [key, value] of Object.entries(content)) {
    if (key === 'sample_spec') continue;
    const parsed = litellmEntry.safeParse(value);
    if (!parsed.success || parsed.data.input_cost_per_token === undefined) continue;
    const entry = parsed.data;
    const provider = entry.litellm_provider ?? '*';
    const slash = key.indexOf('/');
    entries.push({
      section: LITELLM_SECTIONS[provider] ?? provider,
      model: slash > 0 ? key.slice(slash + 1) : key,
      price: litellmPrice(entry),
    });
  }
  return entries;
}

function litellmPrice(entry: z.infer<typeof litellmEntry>): ModelPrice {
  const perMillion = (value: number | undefined) =>
    value === undefined ? undefined : Math.round(value * 1e6 * 1e9) / 1e9;
  const input = perMillion(entry.input_cost_per_token) ?? 0;
  const longInput = perMillion(entry.input_cost_per_token_above_200k_tokens);
  const batches = perMillion(entry.input_cost_per_token_batches);
  return {
    source: 'LiteLLM model_prices_and_context_window.json',
    input,
    cacheRead: perMillion(entry.cache_read_input_token_cost),
    cacheWrite: perMillion(entry.cache_creation_input_token_cost),
    cacheWrite1h: perMillion(entry.cache_creation_input_token_cost_above_1hr),
    output: perMillion(entry.output_cost_per_token),
    reasoning: perMillion(entry.output_cost_per_reasoning_token),
    longContext:
      longInput === undefined
        ? undefined
        : {
            aboveInputTokens: 200_000,
            input: longInput,
            output: perMillion(entry.output_cost_per_token_above_200k_tokens),
            cacheRead: perMillion(entry.cache_read_input_token_cost_above_200k_tokens),
          },
    batchDiscount: batches !== undefined && input > 0 ? 1 - batches / input : undefined,
    perRequestUsd: entry.input_cost_per_request,
    maxOutputTokens: entry.max_output_tokens,
  };
}
