import { readFileSync } from 'node:fs';
import type { AuditEvent, CostFlag } from '../event/types.js';
import { costOfEvent } from './compute.js';
import type { PricesConfig } from './config.js';
import { estimateUsage } from './estimate.js';
import { loadPriceList, type PriceList } from './price-list.js';

/** Prices events as they are recorded. */
export type Pricing = {
  readonly prices: PriceList;
  /**
   * Fills `event.cost` (and, with `estimateWhenMissing`, `event.usage` where the provider
   * reported none), and flags an event whose cost is unknown. Call before content capture
   * strips the text an estimate counts.
   */
  price(event: AuditEvent): void;
};

/** Raised at start when a `prices.import` file cannot be read. */
export class PriceImportError extends Error {
  readonly code = 'price_import_failed';

  constructor(file: string, reason: string) {
    super(`prices.import: ${file} ${reason}`);
    this.name = 'PriceImportError';
  }
}

/** Loads the price list (bundled, imports, overrides) for pricing events. */
export function createPricing(config: PricesConfig, estimateWhenMissing: boolean): Pricing {
  const imports = config.import.map((file) => ({ name: file, content: readImport(file) }));
  const prices = loadPriceList({ imports, models: config.models });
  return {
    prices,
    price(event) {
      if (estimateWhenMissing) {
        const estimated = estimateUsage(event);
        if (estimated) event.usage = estimated;
      }
      event.cost = costOfEvent(event, prices);
      if (event.cost?.source === 'unknown') event.policy.push(unknownCostFlag(event));
    },
  };
}

/** The flag on an event whose cost is unknown, in the shape of a policy decision. */
function unknownCostFlag(event: AuditEvent): CostFlag {
  const usageMissing = !event.usage || event.usage.source === 'missing';
  const type = usageMissing ? 'usage_missing' : 'price_unknown';
  return {
    ruleId: `cost.${type}`,
    policyVersion: null,
    category: 'cost',
    action: 'flag',
    severity: 'low',
    findings: [{ type, count: 1 }],
    model: event.response?.model ?? event.request?.model ?? null,
  };
}

function readImport(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PriceImportError(file, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PriceImportError(file, 'is not valid JSON');
  }
}
