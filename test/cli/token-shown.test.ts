import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCommand } from '../helpers/run-cli.js';

// The API token comes from AUDITGATE_ADMIN_TOKEN when --token is not given; help and usage
// errors name the variable, never its value (they end up in terminals, logs and CI output).

const TOKEN = 'agt_token-value-that-must-not-be-printed';

for (const args of [
  ['events', '--help'],
  ['events', '--frobnicate'],
  ['spend', '--help'],
  ['keys', 'create', '--team', 'radiology'],
  ['ledger', 'bundle', '--help'],
  ['hold', 'list', '--help'],
  ['tokens', 'list', '--help'],
]) {
  test(`auditgate ${args.join(' ')} names the token variable, not its value`, async () => {
    const { output } = await runCommand(args, { AUDITGATE_ADMIN_TOKEN: TOKEN });
    assert.doesNotMatch(output, /token-value-that-must-not-be-printed/);
    if (args.includes('--help')) assert.match(output, /AUDITGATE_ADMIN_TOKEN/);
  });
}
