import type { ServerResponse } from 'node:http';
import { evaluateBefore, type PolicyRule } from '../policy/rules.js';
import type { Call } from './call.js';
import type { GatewayContext } from './context.js';
import { rejectCall } from './reject.js';
import type { Provider } from './routing.js';

/** The rules in force and their version. */
export type PolicySet = { rules: PolicyRule[]; version: string };

/**
 * Judges a call by the rules that apply before it leaves: each rule that fires joins the
 * call's `policy` list; the first `block` answers the caller (403 in the provider's shape,
 * naming the rule and the event id, never the offending value). Returns whether it blocked.
 */
export function enforceBefore(
  context: GatewayContext,
  call: Call,
  response: ServerResponse,
  provider: Provider,
): boolean {
  const { rules, version } = context.policies;
  if (rules.length === 0) return false;
  const decisions = evaluateBefore(rules, version, {
    teamId: call.identity.teamId ?? call.attribution.teamId,
    appId: call.identity.appId ?? call.attribution.appId,
    agentId: call.identity.agentId ?? call.attribution.agentId,
    provider: call.request.provider,
    model: call.request.model,
    parameters: call.request.parameters,
  });
  call.policy.push(...decisions);

  const block = decisions.find((decision) => decision.action === 'block');
  if (!block) return false;
  const message = `blocked by policy rule ${block.ruleId} (${block.category}); event ${call.id}`;
  rejectCall(call, response, { status: 403, code: 'policy_blocked', message }, provider);
  call.outcome = { status: 'blocked', error: message };
  return true;
}
