import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyBundle } from '../../src/ledger/bundle.js';
import type { EvidenceBundle } from '../../src/ledger/types.js';

describe('bundle verification on malformed input', () => {
  it('reports a file that is no bundle, and a bundle with a malformed log, as findings', () => {
    const notABundle = verifyBundle(JSON.parse('[1, 2]') as EvidenceBundle);
    assert.deepEqual(
      notABundle.findings.map((finding) => finding.message),
      ['the file is not an auditgate evidence bundle'],
    );

    const broken = {
      format: 'auditgate-evidence-bundle/1',
      logs: [{ logId: 'gw-1', origin: 'auditgate/gw-1', publicKey: 'AAAA', checkpoint: null }],
    } as unknown as EvidenceBundle;
    const report = verifyBundle(broken);
    assert.equal(report.findings.length, 1);
    assert.match(report.findings[0]!.message, /^log gw-1: part of the bundle is malformed \(/);
  });
});
