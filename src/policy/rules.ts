import { createHash } from 'node:crypto';
import type { RuleDecision } from '../event/types.js';

/** What a rule does when it fires before the call leaves: record it, or refuse the call. */
export type PolicyAction = RuleDecision['action'];

export type PolicySeverity = RuleDecision['severity'];

/** Which calls a rule applies to; a list left out matches every value. */
export type RuleScope = {
  teams?: string[] | undefined;
  apps?: string[] | undefined;
  agents?: string[] | undefined;
  models?: string[] | undefined;
  providers?: string[] | undefined;
};

/**
 * One rule of `policies:`; it checks one thing, `allowModels` or `maxTokens`.
 * TODO(#7): PII and secrets by type, prompt-injection heuristics, blocked terms and patterns,
 * and rate limits per key, user and team; checks after the call; mask, escalate and hold.
 */
export type PolicyRule = {
  id: string;
  scope?: RuleScope | undefined;
  action: PolicyAction;
  severity: PolicySeverity;
  /** The only models calls in scope may name. */
  allowModels?: string[] | undefined;
  /** The most output tokens a call in scope may ask for; a call that sets no limit fires too. */
  maxTokens?: number | undefined;
};

export type PolicyCategory = RuleDecision['category'];

/** A rule that fired on a call: what the event's `policy` list and its violation event hold. */
export type PolicyDecision = Omit<RuleDecision, 'subjectEventId'>;

/** What the rules read of a call before it leaves. */
export type CallFacts = {
  teamId: string | null;
  appId: string | null;
  agentId: string | null;
  provider: string;
  model: string | null;
  /** The request's parameters, verbatim minus content. */
  parameters: Record<string, unknown> | null;
};

/**
 * The version of a rule set: the first 12 hex digits of the SHA-256 of its JSON, so that an
 * event names the rules it was judged by.
 */
export function policyVersion(rules: readonly PolicyRule[]): string {
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 12);
}

/** The rules that fire on a call before it is forwarded, in the order they are written. */
export function evaluateBefore(
  rules: readonly PolicyRule[],
  version: string,
  call: CallFacts,
): PolicyDecision[] {
  const decisions: PolicyDecision[] = [];
  for (const rule of rules) {
    if (!inScope(rule.scope, call)) continue;
    const finding = check(rule, call);
    if (!finding) continue;
    decisions.push({
      ruleId: rule.id,
      policyVersion: version,
      category: finding.category,
      action: rule.action,
      severity: rule.severity,
      findings: [{ type: finding.type, count: 1 }],
    });
  }
  return decisions;
}

function check(
  rule: PolicyRule,
  call: CallFacts,
): { category: PolicyCategory; type: string } | null {
  if (rule.allowModels) {
    const allowed = call.model !== null && rule.allowModels.includes(call.model);
    return allowed ? null : { category: 'model_allowlist', type: 'model_not_allowed' };
  }
  if (rule.maxTokens !== undefined) {
    const requested = requestedMaxTokens(call.parameters);
    if (requested === null) return { category: 'max_tokens', type: 'max_tokens_unset' };
    return requested > rule.maxTokens ? { category: 'max_tokens', type: 'max_tokens_over' } : null;
  }
  return null;
}

function inScope(scope: RuleScope | undefined, call: CallFacts): boolean {
  const matches = (list: string[] | undefined, value: string | null) =>
    list === undefined || (value !== null && list.includes(value));
  return (
    matches(scope?.teams, call.teamId) &&
    matches(scope?.apps, call.appId) &&
    matches(scope?.agents, call.agentId) &&
    matches(scope?.models, call.model) &&
    matches(scope?.providers, call.provider)
  );
}

/**
 * The output-token limit a request sets, under each API's own name: `max_tokens` (chat,
 * Anthropic), `max_completion_tokens` (chat, newer models), `max_output_tokens` (Responses),
 * `generationConfig.maxOutputTokens` (Gemini); `null` when it sets none.
 */
export function requestedMaxTokens(parameters: Record<string, unknown> | null): number | null {
  if (!parameters) return null;
  const generation = parameters.generationConfig ?? parameters.generation_config;
  const candidates = [
    parameters.max_tokens,
    parameters.max_completion_tokens,
    parameters.max_output_tokens,
    typeof generation === 'object' && generation !== null
      ? ((generation as Record<string, unknown>).maxOutputTokens ??
        (generation as Record<string, unknown>).max_output_tokens)
      : undefined,
  ];
  const numbers = candidates.filter((value): value is number => typeof value === 'number');
  return numbers.length > 0 ? Math.max(...numbers) : null;
}
