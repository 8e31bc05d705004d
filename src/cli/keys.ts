import type { Command } from 'commander';
import type { VirtualKey } from '../identity/keys.js';
import { addApiOptions, callApi, type ApiOptions } from './api-client.js';

type CreateOptions = ApiOptions & {
  team: string;
  app: string;
  agent?: string;
  actor?: string;
  project?: string;
  businessUnit?: string;
  models?: string;
  expires?: string;
  json?: boolean;
};

type ListOptions = ApiOptions & { limit: string; json?: boolean };

/** `auditgate keys create|list|revoke`: virtual keys, through a running gateway's API. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('virtual keys for callers of the gateway');

  addApiOptions(keys.command('create').description('issue a key; its text is shown once'))
    .requiredOption('--team <team>', 'team the key is bound to')
    .requiredOption('--app <app>', 'application the key is bound to')
    .option('--agent <agent>', 'agent the key is bound to')
    .option('--actor <type>', 'actor type: human, agent or service')
    .option('--project <project>', 'project the key is bound to')
    .option('--business-unit <unit>', 'business unit the key is bound to')
    .option('--models <list>', 'the only models the key may call, comma-separated')
    .option('--expires <time>', 'when the key stops working (ISO 8601, e.g. 2027-01-01)')
    .option('--json', 'the answer as JSON')
    .action(createKey);

  addApiOptions(keys.command('list').description('keys, newest first (never their text)'))
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'one JSON key per line')
    .action(listKeys);

  addApiOptions(keys.command('revoke').description('revoke a key at once').argument('<id>'))
    .option('--json', 'the answer as JSON')
    .action(revokeKey);
}

async function createKey(options: CreateOptions): Promise<void> {
  const body = {
    teamId: options.team,
    appId: options.app,
    agentId: options.agent,
    actorType: options.actor,
    project: options.project,
    businessUnit: options.businessUnit,
    models: options.models?.split(',').map((model) => model.trim()),
    expiresAt: options.expires,
  };
  const created = (await callApi(options, 'POST', '/api/v1/keys', body)) as VirtualKey & {
    key: string;
  };
  if (options.json) {
    console.log(JSON.stringify(created));
    return;
  }
  console.log('virtual key (shown once; the gateway keeps only its hash):');
  console.log(`  ${created.key}`);
  console.log(describeKey(created));
}

async function listKeys(options: ListOptions): Promise<void> {
  const path = `/api/v1/keys?limit=${encodeURIComponent(options.limit)}`;
  const page = (await callApi(options, 'GET', path)) as { keys: VirtualKey[] };
  for (const key of page.keys) {
    console.log(options.json ? JSON.stringify(key) : describeKey(key));
  }
}

async function revokeKey(id: string, options: ApiOptions & { json?: boolean }): Promise<void> {
  const path = `/api/v1/keys/${encodeURIComponent(id)}`;
  const revoked = (await callApi(options, 'DELETE', path)) as VirtualKey;
  console.log(options.json ? JSON.stringify(revoked) : describeKey(revoked));
}

/** One line a key: id, state, bindings. */
function describeKey(key: VirtualKey): string {
  const state = key.revokedAt
    ? `revoked ${key.revokedAt}`
    : key.expiresAt && Date.parse(key.expiresAt) <= Date.now()
      ? `expired ${key.expiresAt}`
      : 'active';
  const bindings = [
    `team=${key.teamId}`,
    `app=${key.appId}`,
    key.agentId && `agent=${key.agentId}`,
    key.actorType && `actor=${key.actorType}`,
    key.project && `project=${key.project}`,
    key.businessUnit && `business-unit=${key.businessUnit}`,
    key.models && `models=${key.models.join(',')}`,
    key.expiresAt && `expires=${key.expiresAt}`,
  ].filter(Boolean);
  return [key.id, state, ...bindings].join('  ');
}
