/**
 * Checks an evidence bundle with nothing but what it carries: each checkpoint's signature
 * under the bundle's public key, each event's leaf recomputed from its envelope, its inclusion
 * proof against the checkpoint, and its content against its commitment.
 */
import { keyId, openCheckpoint } from './checkpoint.js';
import { contentMatches, leafHashOf } from './leaf.js';
import { verifyInclusion } from './merkle.js';
import type { EvidenceBundle } from './types.js';
import type { ErasedContent, Finding } from './verify.js';

/** What checking a bundle found. */
export type BundleReport = {
  logs: {
    logId: string;
    origin: string;
    /** Hex key id of the public key, to compare with the one the operator published. */
    keyId: string;
    treeSize: number;
    events: number;
  }[];
  /** Content present and opening its commitment. */
  contentChecked: number;
  erased: ErasedContent[];
  /** Content absent from the bundle and named by no erasure event in it. */
  contentAbsent: string[];
  findings: Finding[];
};

/**
 * Checks a parsed bundle. Malformed parts are findings, never exceptions.
 * TODO(#6): a bundle proves each event it holds, not that it holds every event of its range:
 * one removed from the file goes unnoticed. It needs the range's whole run of leaves (out of
 * range envelopes too) so that a gap in indexes or a leaf without its event is named.
 */
export function verifyBundle(bundle: EvidenceBundle): BundleReport {
  const report: BundleReport = {
    logs: [],
    contentChecked: 0,
    erased: [],
    contentAbsent: [],
    findings: [],
  };
  const shaped = typeof bundle === 'object' && bundle !== null;
  if (!shaped || bundle.format !== 'auditgate-evidence-bundle/1' || !Array.isArray(bundle.logs)) {
    report.findings.push(
      finding('changed', '', null, null, 'the file is not an auditgate evidence bundle'),
    );
    return report;
  }
  for (const log of bundle.logs) {
    try {
      verifyBundleLog(log, report);
    } catch (error) {
      // An edited bundle can have any shape; what cannot be read is a finding, not a crash.
      const logId = typeof log?.logId === 'string' ? log.logId : '';
      const message = `log ${logId || '(unnamed)'}: part of the bundle is malformed (${(error as Error).message})`;
      report.findings.push(finding('changed', logId, null, null, message));
    }
  }
  return report;
}

function verifyBundleLog(log: EvidenceBundle['logs'][number], report: BundleReport): void {
  const publicKey = Buffer.from(log.publicKey, 'base64');
  const opened = openCheckpoint(log.checkpoint.note, { name: log.origin, publicKey });
  report.logs.push({
    logId: log.logId,
    origin: log.origin,
    keyId: keyId(log.origin, publicKey).toString('hex'),
    treeSize: opened.ok ? opened.checkpoint.treeSize : 0,
    events: log.events.length,
  });
  if (!opened.ok) {
    const message = `checkpoint of log ${log.logId}: its signature does not verify (${opened.failure})`;
    report.findings.push(finding('checkpoint_signature', log.logId, null, null, message));
    return;
  }
  const { treeSize, rootHash, origin } = opened.checkpoint;
  if (origin !== log.origin) {
    const message = `checkpoint of log ${log.logId}: signed for origin ${origin}, not ${log.origin}`;
    report.findings.push(finding('checkpoint_signature', log.logId, null, null, message));
  }

  const erasedBy = new Map<string, string>();
  const absent: string[] = [];
  for (const event of log.events) {
    const id = typeof event.envelope.id === 'string' ? event.envelope.id : '(no id)';
    const position = event.envelope.ledger as { index?: unknown; leafHash?: unknown } | null;
    const index = typeof position?.index === 'number' ? position.index : -1;
    const leafHash = leafHashOf(event.envelope, event.contentCommitment);
    const proof = event.proof.map((hex) => Buffer.from(hex, 'hex'));
    if (position?.leafHash !== leafHash.toString('hex')) {
      report.findings.push(
        finding('changed', log.logId, id, index, `event ${id} no longer matches its leaf hash`),
      );
    } else if (!verifyInclusion(index, treeSize, leafHash, proof, rootHash)) {
      const message = `event ${id} at index ${index} is not in the tree the checkpoint signed`;
      report.findings.push(finding('changed', log.logId, id, index, message));
    } else if (event.envelope.kind === 'erasure') {
      const erasure = event.envelope.erasure as { eventIds?: unknown } | undefined;
      for (const erased of Array.isArray(erasure?.eventIds) ? erasure.eventIds : []) {
        if (typeof erased === 'string') erasedBy.set(erased, id);
      }
    }
    if (event.contentCommitment === null) continue;
    if (event.content === null || event.content === undefined) {
      absent.push(id);
    } else if (
      event.salt === null ||
      !contentMatches(event.content, event.salt, event.contentCommitment)
    ) {
      const message = `event ${id}: its content no longer matches its commitment`;
      report.findings.push(finding('content_changed', log.logId, id, index, message));
    } else report.contentChecked += 1;
  }
  for (const id of absent) {
    const by = erasedBy.get(id);
    if (by) report.erased.push({ eventId: id, erasedBy: by });
    else report.contentAbsent.push(id);
  }
}

function finding(
  problem: Finding['problem'],
  logId: string,
  eventId: string | null,
  index: number | null,
  message: string,
): Finding {
  return { problem, logId, eventId, index, message };
}
