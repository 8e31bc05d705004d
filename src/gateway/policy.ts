import { unwatchFile, watchFile } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { evaluateBefore, policyVersion, type PolicyRule } from '../policy/rules.js';
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

/** How often the configuration file is checked for changed rules. */
const RELOAD_INTERVAL_MS = 500;

/**
 * Watches the configuration file and applies changed `policies:` to the next calls, without a
 * restart. A file that no longer validates changes nothing (the error is logged, with the
 * keys it names); the other sections apply at the next start. Returns the function that stops
 * watching.
 */
export function watchPolicies(
  context: GatewayContext,
  file: string,
  environment: NodeJS.ProcessEnv,
): () => void {
  const reload = () => {
    let rules: PolicyRule[];
    try {
      rules = loadConfig({ file, environment }).policies;
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [String(error)];
      context.logger.error({ problems }, 'configuration changed but not valid; policies kept');
      return;
    }
    const version = policyVersion(rules);
    if (version === context.policies.version) return;
    const from = context.policies.version;
    context.policies = { rules, version };
    context.logger.info({ from, to: version, rules: rules.length }, 'policies reloaded');
  };
  watchFile(file, { interval: RELOAD_INTERVAL_MS, persistent: false }, reload);
  return () => unwatchFile(file, reload);
}
