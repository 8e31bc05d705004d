import type Database from 'better-sqlite3';
import { inclusionProofOf } from '../../ledger/merkle.js';
import type { BundleEvent, BundleLeftOut, EvidenceBundle } from '../../ledger/types.js';
import { logStates, StoredTree } from './ledger.js';

type BundleRow = {
  envelope: string;
  content_commitment: string | null;
  leaf_index: number;
  content: string | null;
  salt: string | null;
};

/**
 * The evidence for events of `[from, to)`: per log, its latest checkpoint, public key, and
 * each event's envelope, content (where not erased) and inclusion proof against that
 * checkpoint. Events newer than their log's latest checkpoint are left out, and counted per
 * log in `leftOut`.
 */
export function buildBundle(database: Database.Database, from: string, to: string): EvidenceBundle {
  const select = database.prepare<[string, string, string, number], BundleRow>(`
    SELECT events.envelope AS envelope, events.content_commitment AS content_commitment,
      events.leaf_index AS leaf_index, event_content.content AS content,
      event_content.salt AS salt
    FROM events LEFT JOIN event_content ON event_content.event_id = events.id
    WHERE events.log_id = ? AND events.time >= ? AND events.time < ? AND events.leaf_index < ?
    ORDER BY events.leaf_index`);

  const countNewer = database.prepare<[string, string, string, number], { count: number }>(`
    SELECT COUNT(*) AS count FROM events
    WHERE log_id = ? AND time >= ? AND time < ? AND leaf_index >= ?`);

  const logs: EvidenceBundle['logs'] = [];
  const leftOut: BundleLeftOut[] = [];
  for (const log of logStates(database)) {
    const checkpoint = log.lastCheckpoint;
    const checkpointSize = checkpoint?.treeSize ?? 0;
    const newer = countNewer.get(log.logId, from, to, checkpointSize)?.count ?? 0;
    if (newer > 0) leftOut.push({ logId: log.logId, events: newer, checkpointSize });
    if (!checkpoint) continue;
    const rows = select.all(log.logId, from, to, checkpoint.treeSize);
    if (rows.length === 0) continue;
    const tree = new StoredTree(database, log.logId);
    const subtree = (start: number, end: number) => tree.subtree(start, end);
    const events = rows.map((row): BundleEvent => ({
      // Both columns hold JSON the store wrote itself.
      envelope: JSON.parse(row.envelope) as Record<string, unknown>,
      contentCommitment: row.content_commitment,
      content: row.content === null ? null : (JSON.parse(row.content) as unknown),
      salt: row.salt,
      proof: inclusionProofOf(row.leaf_index, checkpoint.treeSize, subtree).map((hash) =>
        hash.toString('hex'),
      ),
    }));
    logs.push({
      logId: log.logId,
      origin: log.origin,
      publicKey: log.publicKey,
      checkpoint,
      events,
    });
  }
  return {
    format: 'auditgate-evidence-bundle/1',
    createdAt: new Date().toISOString(),
    from,
    to,
    logs,
    leftOut,
  };
}
