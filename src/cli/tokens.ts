import type { Command } from 'commander';
import type { ApiToken } from '../identity/tokens.js';
import { addApiOptions, callApi, type ApiOptions } from './api-client.js';

type CreateOptions = ApiOptions & { name: string; role: string; teams?: string; json?: boolean };

/** `auditgate tokens create|list|revoke`: people's API tokens, through the running gateway. */
export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description("people's API tokens and their roles");

  addApiOptions(tokens.command('create').description('issue a token; its text is shown once'))
    .requiredOption('--name <name>', 'whose token it is')
    .requiredOption('--role <role>', 'admin, auditor, operator or viewer')
    .option('--teams <list>', 'the teams whose events it reads, comma-separated')
    .option('--json', 'the answer as JSON')
    .action(createToken);

  addApiOptions(tokens.command('list').description('tokens, newest first (never their text)'))
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'one JSON token per line')
    .action(listTokens);

  addApiOptions(tokens.command('revoke').description('revoke a token at once').argument('<id>'))
    .option('--json', 'the answer as JSON')
    .action(revokeToken);
}

async function createToken(options: CreateOptions): Promise<void> {
  const body = {
    name: options.name,
    role: options.role,
    teams: options.teams?.split(',').map((team) => team.trim()),
  };
  const created = (await callApi(options, 'POST', '/api/v1/tokens', body)) as ApiToken & {
    token: string;
  };
  if (options.json) {
    console.log(JSON.stringify(created));
    return;
  }
  console.log('API token (shown once; the gateway keeps only its hash):');
  console.log(`  ${created.token}`);
  console.log(describeToken(created));
}

async function listTokens(options: ApiOptions & { limit: string; json?: boolean }) {
  const path = `/api/v1/tokens?limit=${encodeURIComponent(options.limit)}`;
  const page = (await callApi(options, 'GET', path)) as { tokens: ApiToken[] };
  for (const token of page.tokens) {
    console.log(options.json ? JSON.stringify(token) : describeToken(token));
  }
}

async function revokeToken(id: string, options: ApiOptions & { json?: boolean }): Promise<void> {
  const path = `/api/v1/tokens/${encodeURIComponent(id)}`;
  const revoked = (await callApi(options, 'DELETE', path)) as ApiToken;
  console.log(options.json ? JSON.stringify(revoked) : describeToken(revoked));
}

/** One line a token: id, state, role, teams, name. */
function describeToken(token: ApiToken): string {
  const state = token.revokedAt ? `revoked ${token.revokedAt}` : 'active';
  const teams = token.teams ? `teams=${token.teams.join(',')}` : 'teams=all';
  return [token.id, state, `role=${token.role}`, teams, `name=${token.name}`].join('  ');
}
