import { Option, type Command } from 'commander';

/** Where a command finds the running gateway's API, and the token it shows. */
export type ApiOptions = { url: string; token?: string };

/**
 * Adds `--url` and `--token`, read from `AUDITGATE_URL` and `AUDITGATE_ADMIN_TOKEN` when not
 * given. Help and usage errors name the variables, never the token's value.
 */
export function addApiOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--url <url>', 'gateway URL')
        .env('AUDITGATE_URL')
        .default('http://127.0.0.1:4000'),
    )
    .addOption(new Option('--token <token>', 'API token').env('AUDITGATE_ADMIN_TOKEN'));
}

/**
 * Sends one request to the API and returns its JSON body; throws with the API's own message
 * when it answers an error.
 */
export async function callApi(
  options: ApiOptions,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  if (!options.token) {
    throw new Error('an API token is needed: --token or AUDITGATE_ADMIN_TOKEN');
  }
  const response = await fetch(options.url.replace(/\/+$/, '') + path, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => null)) as {
    error?: { message?: string };
  } | null;
  if (!response.ok) {
    throw new Error(answer?.error?.message ?? `the API answered ${response.status}`);
  }
  return answer;
}
