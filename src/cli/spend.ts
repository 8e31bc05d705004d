import type { SpendAnswer } from '../api/spend.js';

export type SpendOptions = {
  url: string;
  token?: string;
  groupBy: string;
  since: string;
  until?: string;
  bucket: string;
  json?: boolean;
};

/** `auditgate spend`: spend from a running gateway's API, as a table or as JSON. */
export async function showSpend(options: SpendOptions): Promise<void> {
  if (!options.token) {
    throw new Error('an API token is needed: --token or AUDITGATE_ADMIN_TOKEN');
  }
  const query = new URLSearchParams({
    groupBy: options.groupBy,
    bucket: options.bucket,
    from: options.since,
    ...(options.until ? { to: options.until } : {}),
  });
  const base = options.url.replace(/\/+$/, '');
  const response = await fetch(`${base}/api/v1/spend?${query}`, {
    headers: { authorization: `Bearer ${options.token}` },
  });
  const body = (await response.json()) as SpendAnswer & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `the API answered ${response.status}`);

  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  console.log(table(body));
}

/** A plain table: one row per group, then the totals; `-` for a group without that attribution. */
export function table(answer: SpendAnswer): string {
  const bucketed = answer.bucket !== 'none';
  const header = [
    ...(bucketed ? [answer.bucket] : []),
    ...answer.groupBy,
    'calls',
    'unpriced',
    'cost_usd',
    'input_tokens',
    'output_tokens',
  ];
  const rows = answer.spend.map((row) => [
    ...(bucketed ? [row.bucket ?? '-'] : []),
    ...answer.groupBy.map((dimension) => row.group[dimension] ?? '-'),
    String(row.calls),
    String(row.unknownCostCalls),
    row.costUsd.toFixed(7),
    String(row.inputTokens),
    String(row.outputTokens),
  ]);
  const totals = answer.totals;
  const total = [
    ...(bucketed ? ['total'] : []),
    ...answer.groupBy.map((_, index) => (index === 0 && !bucketed ? 'total' : '')),
    String(totals.calls),
    String(totals.unknownCostCalls),
    totals.costUsd.toFixed(7),
    String(totals.inputTokens),
    String(totals.outputTokens),
  ];
  const all = [header, ...rows, total];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line), line(total)];
  if (totals.unknownCostCalls > 0) {
    lines.push(`${totals.unknownCostCalls} calls have no price; their cost is not in cost_usd`);
  }
  return lines.join('\n');
}
