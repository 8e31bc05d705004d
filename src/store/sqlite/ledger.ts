/**
 * The store's side of the ledger: gives each appended event its leaf (index, leaf hash,
 * content salt and commitment) inside the append transaction, keeps the tree's frontier so
 * that an append costs O(log n), and signs checkpoints, each checked against the one before.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openNote, rawPublicKey, signCheckpoint } from '../../ledger/checkpoint.js';
import { commitContent, leafHashOf, newSalt } from '../../ledger/leaf.js';
import {
  consistencyProofOf,
  Frontier,
  hashNode,
  inclusionProofOf,
  rootHash,
  subtreeFromNodes,
  type Hash,
} from '../../ledger/merkle.js';
import type {
  ConsistencyProof,
  EventProof,
  LogState,
  StoredCheckpoint,
} from '../../ledger/types.js';
import type { AuditEvent } from '../../event/types.js';
import type { EventContent } from '../../event/content.js';

/** What the store needs to keep a log: which one, its signing key, when to checkpoint. */
export type LedgerSetup = {
  logId: string;
  /** The checkpoint origin and signing key name, `auditgate/<logId>`. */
  origin: string;
  /** PKCS #8 PEM of the Ed25519 signing key. */
  privateKeyPem: string;
  /** Sign a checkpoint once this many events were appended since the last. */
  checkpointEvery: number;
  /** Sign a checkpoint this often when the log grew, whatever the count; 0 never. */
  checkpointIntervalMs: number;
};

/** An event's leaf as the append writes it. */
export type AssignedLeaf = {
  /** The envelope with its `ledger` field filled, as JSON. */
  envelopeJson: string;
  envelope: AuditEvent;
  index: number;
  leafHash: string;
  commitment: string | null;
  salt: string | null;
};

/** The log's stored tree does not extend its last checkpoint: the store was changed. */
export class LedgerInconsistentError extends Error {
  readonly code = 'ledger_inconsistent';

  constructor(message: string) {
    super(message);
    this.name = 'LedgerInconsistentError';
  }
}

/**
 * The store keeps the root of every complete subtree of 2^8 leaves or more (the tiles of the
 * Go checksum database's tlog are as high); a lower node is hashed from at most 256 leaf
 * hashes read in one range. A proof then reads O(log n) rows.
 */
export const TILE_HEIGHT = 8;
const TILE_WIDTH = 2 ** TILE_HEIGHT;

type StoredNode = { log_id: string; level: number; position: number; hash: Buffer };

type LogRow = {
  log_id: string;
  origin: string;
  public_key: string;
  tree_size: number;
  frontier: string;
};

type CheckpointRow = {
  log_id: string;
  tree_size: number;
  root_hash: string;
  frontier: string;
  note: string;
  time: string;
};

/** One log kept in a SQLite store. Only the store's thread uses it. */
export class SqliteLedger {
  readonly logId: string;
  readonly origin: string;
  readonly #setup: LedgerSetup;
  readonly #privateKey: KeyObject;
  readonly #publicKey: Buffer;
  #frontier: Frontier;
  #pending: Frontier | null = null;
  #pendingNodes: StoredNode[] = [];
  #lastCheckpointSize: number;

  readonly #statements: ReturnType<typeof prepare>;

  constructor(database: Database.Database, setup: LedgerSetup) {
    this.#setup = setup;
    this.logId = setup.logId;
    this.origin = setup.origin;
    this.#privateKey = createPrivateKey(setup.privateKeyPem);
    this.#publicKey = rawPublicKey(this.#privateKey);
    this.#statements = prepare(database);

    const row = this.#loadOrCreateLog();
    this.#frontier = new Frontier(row.tree_size, parseHashes(row.frontier));
    this.#storeMissingNodes(database);
    this.#lastCheckpointSize = this.#statements.lastCheckpoint.get(this.logId)?.tree_size ?? 0;
  }

  /** Leaves appended so far. */
  get size(): number {
    return this.#frontier.size;
  }

  /**
   * Starts a batch (inside the append transaction): leaves are assigned on a copy of the
   * frontier until `commit`. The log's row is its lock: if it no longer holds the size this
   * writer has, another writer (a process given the same store and instance id) appended, and
   * the batch is refused rather than forking the tree.
   */
  begin(): void {
    const recorded = this.#statements.selectLog.get(this.logId)?.tree_size;
    if (recorded !== this.#frontier.size) {
      throw new LedgerInconsistentError(
        `log ${this.logId} was appended to by another writer; only one gateway may write a log`,
      );
    }
    this.#pending = this.#frontier.clone();
    this.#pendingNodes = [];
  }

  /** Gives one event its leaf: next index, a new salt, the commitment and the leaf hash. */
  assign(envelope: AuditEvent, content: EventContent | null): AssignedLeaf {
    const pending = this.#pending;
    if (!pending) throw new Error('ledger: assign outside a batch');
    // Envelopes are plain JSON data, so canonical JSON of the object equals canonical JSON of
    // the stored text a verifier parses (canonicalJson itself takes the JSON form otherwise).
    const plain: AuditEvent = { ...envelope, ledger: null };
    const salt = content ? newSalt() : null;
    const commitment = content && salt ? commitContent(content, salt) : null;
    const leafHash = leafHashOf(plain as unknown as Record<string, unknown>, commitment);
    const index = pending.size;
    pending.append(leafHash, (level, hash) => {
      if (level < TILE_HEIGHT) return;
      this.#pendingNodes.push({ log_id: this.logId, level, position: index >>> level, hash });
    });

    const stored: AuditEvent = {
      ...plain,
      ledger: { logId: this.logId, index, leafHash: leafHash.toString('hex') },
    };
    return {
      envelopeJson: JSON.stringify(stored),
      envelope: stored,
      index,
      leafHash: leafHash.toString('hex'),
      commitment,
      salt,
    };
  }

  /** Writes the batch's tree size and frontier (inside the append transaction). */
  writeBatch(): void {
    const pending = this.#pending;
    if (!pending) return;
    const nodes = formatHashes(pending.nodes);
    this.#statements.updateLog.run(pending.size, nodes, this.logId, this.size);
    for (const node of this.#pendingNodes) this.#statements.insertNode.run(node);
  }

  /** Keeps the batch's frontier once its transaction committed. */
  commit(): void {
    if (this.#pending) this.#frontier = this.#pending;
    this.#pending = null;
    this.#pendingNodes = [];
  }

  /** Forgets the batch after its transaction rolled back. */
  rollback(): void {
    this.#pending = null;
    this.#pendingNodes = [];
  }

  /** Whether enough events arrived since the last checkpoint to sign another. */
  checkpointDue(): boolean {
    return this.#frontier.size - this.#lastCheckpointSize >= this.#setup.checkpointEvery;
  }

  /**
   * Signs a checkpoint of the tree as it stands, after checking that the tree extends the last
   * checkpoint: the last checkpoint's frontier must hash to its signed root, and with the
   * leaves appended since must hash to the new root. Returns `null` when nothing changed.
   */
  checkpoint(): StoredCheckpoint | null {
    const size = this.#frontier.size;
    const last = this.#statements.lastCheckpoint.get(this.logId);
    if (size === 0 || (last && last.tree_size >= size)) return null;
    const root = this.#frontier.root();
    if (last) this.#checkExtends(last, root, size);

    const note = signCheckpoint(
      { origin: this.origin, treeSize: size, rootHash: root },
      this.origin,
      this.#privateKey,
    );
    const row: CheckpointRow = {
      log_id: this.logId,
      tree_size: size,
      root_hash: root.toString('hex'),
      frontier: formatHashes(this.#frontier.nodes),
      note,
      time: new Date().toISOString(),
    };
    this.#statements.insertCheckpoint.run(row);
    this.#lastCheckpointSize = size;
    return fromCheckpointRow(row);
  }

  #checkExtends(last: CheckpointRow, root: Hash, size: number): void {
    const previous = new Frontier(last.tree_size, parseHashes(last.frontier));
    const opened = openNote(last.note, { name: this.origin, publicKey: this.#publicKey });
    if (!opened.ok || !previous.root().equals(Buffer.from(last.root_hash, 'hex'))) {
      throw new LedgerInconsistentError(
        `checkpoint at size ${last.tree_size} of log ${this.logId} does not match its signature`,
      );
    }
    for (const leaf of this.#statements.leafHashes.iterate(this.logId, last.tree_size, size)) {
      previous.append(Buffer.from(leaf.leaf_hash, 'hex'));
    }
    if (previous.size !== size || !previous.root().equals(root)) {
      throw new LedgerInconsistentError(
        `log ${this.logId} at size ${size} does not extend its checkpoint at size ${last.tree_size}`,
      );
    }
  }

  /**
   * Stores the subtree roots of a log whose leaves were appended before the store kept them
   * (a store of schema version 4 or earlier), so that its proofs are O(log n) from now on.
   */
  #storeMissingNodes(database: Database.Database): void {
    const size = this.#frontier.size;
    const stored = this.#statements.countNodes.get(this.logId, TILE_HEIGHT)?.count ?? 0;
    if (stored >= Math.floor(size / TILE_WIDTH)) return;
    database.transaction(() => {
      const rebuilt = new Frontier();
      // Read in slices: a statement cannot write while another iterates on the connection.
      for (let first = 0; first < size; first += 65_536) {
        const last = Math.min(size, first + 65_536);
        for (const leaf of this.#statements.leafHashes.all(this.logId, first, last)) {
          const index = rebuilt.size;
          rebuilt.append(Buffer.from(leaf.leaf_hash, 'hex'), (level, hash) => {
            if (level < TILE_HEIGHT) return;
            const position = index >>> level;
            this.#statements.insertNode.run({ log_id: this.logId, level, position, hash });
          });
        }
      }
    })();
  }

  #loadOrCreateLog(): LogRow {
    const existing = this.#statements.selectLog.get(this.logId);
    if (existing) {
      if (existing.public_key !== this.#publicKey.toString('base64')) {
        throw new LedgerInconsistentError(
          `ledger key: log ${this.logId} is signed by another key than the one configured`,
        );
      }
      return existing;
    }
    const row: LogRow = {
      log_id: this.logId,
      origin: this.origin,
      public_key: this.#publicKey.toString('base64'),
      tree_size: 0,
      frontier: '[]',
    };
    this.#statements.insertLog.run({ ...row, created_at: new Date().toISOString() });
    return row;
  }
}

/** Every log in the store with its latest checkpoint. */
export function logStates(database: Database.Database): LogState[] {
  const statements = prepare(database);
  return statements.allLogs.all().map((row) => {
    const last = statements.lastCheckpoint.get(row.log_id);
    return {
      logId: row.log_id,
      origin: row.origin,
      publicKey: row.public_key,
      treeSize: row.tree_size,
      lastCheckpoint: last ? fromCheckpointRow(last) : null,
    };
  });
}

/** A log's checkpoints, newest first. */
export function listCheckpoints(
  database: Database.Database,
  logId: string,
  limit: number,
): StoredCheckpoint[] {
  return prepare(database).checkpoints.all(logId, limit).map(fromCheckpointRow);
}

/**
 * A log's tree as the store keeps it: complete subtrees of `TILE_HEIGHT` levels or more are
 * read from `ledger_nodes`, lower ones hashed from the leaf hashes of their tile. Nodes are
 * kept once read, so the proofs of many events of one log share them (an evidence bundle).
 */
export class StoredTree {
  readonly #logId: string;
  readonly #statements: ReturnType<typeof prepare>;
  readonly #nodes = new Map<string, Hash>();
  readonly #tiles = new Map<number, Hash[]>();

  constructor(database: Database.Database, logId: string) {
    this.#logId = logId;
    this.#statements = prepare(database);
  }

  /** MTH of leaves `[start, end)`. */
  subtree(start: number, end: number): Hash {
    return subtreeFromNodes(start, end, (level, position) => this.node(level, position));
  }

  /** The root of the 2^level leaves from position * 2^level, which must all be in the log. */
  node(level: number, position: number): Hash {
    const key = `${level}:${position}`;
    const known = this.#nodes.get(key);
    if (known) return known;
    const hash =
      level < TILE_HEIGHT ? this.#fromTile(level, position) : this.#stored(level, position);
    this.#nodes.set(key, hash);
    return hash;
  }

  #fromTile(level: number, position: number): Hash {
    const first = position * 2 ** level;
    const tile = Math.floor(first / TILE_WIDTH);
    const leaves = this.#tileLeaves(tile);
    const offset = first - tile * TILE_WIDTH;
    const hashes = leaves.slice(offset, offset + 2 ** level);
    if (hashes.length !== 2 ** level) {
      throw new LedgerInconsistentError(
        `log ${this.#logId}: leaves ${first} to ${first + 2 ** level - 1} are not all stored`,
      );
    }
    return level === 0 ? (hashes[0] as Hash) : rootHash(hashes);
  }

  #tileLeaves(tile: number): Hash[] {
    let leaves = this.#tiles.get(tile);
    if (!leaves) {
      const rows = this.#statements.leafHashes.all(
        this.#logId,
        tile * TILE_WIDTH,
        (tile + 1) * TILE_WIDTH,
      );
      leaves = rows.map((row) => Buffer.from(row.leaf_hash, 'hex'));
      this.#tiles.set(tile, leaves);
    }
    return leaves;
  }

  #stored(level: number, position: number): Hash {
    const row = this.#statements.selectNode.get(this.#logId, level, position);
    if (row) return row.hash;
    // A log another instance wrote before the store kept nodes: hash its two halves.
    return hashNode(this.node(level - 1, position * 2), this.node(level - 1, position * 2 + 1));
  }
}

/** The inclusion proof of one leaf against a checkpoint, from its log's stored tree. */
export function proveEvent(
  tree: StoredTree,
  event: { id: string; logId: string; index: number; leafHash: string },
  checkpoint: StoredCheckpoint,
): EventProof {
  const proof = inclusionProofOf(event.index, checkpoint.treeSize, (start, end) =>
    tree.subtree(start, end),
  );
  return {
    eventId: event.id,
    logId: event.logId,
    index: event.index,
    leafHash: event.leafHash,
    treeSize: checkpoint.treeSize,
    proof: proof.map((hash) => hash.toString('hex')),
    checkpoint,
  };
}

/** A consistency proof between two sizes of a log, with the checkpoints at those sizes. */
export function proveConsistency(
  database: Database.Database,
  logId: string,
  from: number,
  to: number,
): ConsistencyProof {
  const statements = prepare(database);
  const log = statements.selectLog.get(logId);
  if (!log) throw rangeError('log', `a log of this store`, logId);
  if (!Number.isInteger(to) || to < 1 || to > log.tree_size) {
    throw rangeError('to', `a tree size from 1 to ${log.tree_size}`, String(to));
  }
  if (!Number.isInteger(from) || from < 1 || from > to) {
    throw rangeError('from', `a tree size from 1 to ${to}`, String(from));
  }
  const tree = new StoredTree(database, logId);
  const checkpointAt = (size: number) => {
    const row = statements.checkpointAt.get(logId, size);
    return row ? fromCheckpointRow(row) : null;
  };
  return {
    logId,
    from,
    to,
    proof: consistencyProofOf(from, to, (start, end) => tree.subtree(start, end)).map((hash) =>
      hash.toString('hex'),
    ),
    fromCheckpoint: checkpointAt(from),
    toCheckpoint: checkpointAt(to),
  };
}

function rangeError(field: string, expected: string, actual: string): Error {
  const error = new RangeError(`${field}: expected ${expected}, got '${actual.slice(0, 64)}'`);
  return Object.assign(error, { code: 'invalid_query', status: 400 });
}

const prepared = new WeakMap<Database.Database, ReturnType<typeof prepareStatements>>();

/** The ledger's statements for a connection, prepared once. */
function prepare(database: Database.Database) {
  let statements = prepared.get(database);
  if (!statements) {
    statements = prepareStatements(database);
    prepared.set(database, statements);
  }
  return statements;
}

function prepareStatements(database: Database.Database) {
  return {
    selectLog: database.prepare<[string], LogRow>('SELECT * FROM ledger_logs WHERE log_id = ?'),
    allLogs: database.prepare<[], LogRow>('SELECT * FROM ledger_logs ORDER BY created_at, log_id'),
    insertLog: database.prepare<[LogRow & { created_at: string }]>(`
      INSERT INTO ledger_logs (log_id, origin, public_key, tree_size, frontier, created_at)
      VALUES (@log_id, @origin, @public_key, @tree_size, @frontier, @created_at)`),
    updateLog: database.prepare<[number, string, string, number]>(
      'UPDATE ledger_logs SET tree_size = ?, frontier = ? WHERE log_id = ? AND tree_size = ?',
    ),
    lastCheckpoint: database.prepare<[string], CheckpointRow>(
      'SELECT * FROM ledger_checkpoints WHERE log_id = ? ORDER BY tree_size DESC LIMIT 1',
    ),
    checkpointAt: database.prepare<[string, number], CheckpointRow>(
      'SELECT * FROM ledger_checkpoints WHERE log_id = ? AND tree_size = ?',
    ),
    checkpoints: database.prepare<[string, number], CheckpointRow>(
      'SELECT * FROM ledger_checkpoints WHERE log_id = ? ORDER BY tree_size DESC LIMIT ?',
    ),
    insertCheckpoint: database.prepare<[CheckpointRow]>(`
      INSERT INTO ledger_checkpoints (log_id, tree_size, root_hash, frontier, note, time)
      VALUES (@log_id, @tree_size, @root_hash, @frontier, @note, @time)`),
    insertNode: database.prepare<[StoredNode]>(`
      INSERT OR IGNORE INTO ledger_nodes (log_id, level, position, hash)
      VALUES (@log_id, @level, @position, @hash)`),
    selectNode: database.prepare<[string, number, number], { hash: Buffer }>(
      'SELECT hash FROM ledger_nodes WHERE log_id = ? AND level = ? AND position = ?',
    ),
    countNodes: database.prepare<[string, number], { count: number }>(
      'SELECT COUNT(*) AS count FROM ledger_nodes WHERE log_id = ? AND level = ?',
    ),
    leafHashes: database.prepare<[string, number, number], { leaf_hash: string }>(`
      SELECT leaf_hash FROM events
      WHERE log_id = ? AND leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index`),
  };
}

function fromCheckpointRow(row: CheckpointRow): StoredCheckpoint {
  return {
    logId: row.log_id,
    treeSize: row.tree_size,
    rootHash: row.root_hash,
    note: row.note,
    time: row.time,
  };
}

function parseHashes(text: string): Hash[] {
  // The store wrote this list itself, from hashes.
  return (JSON.parse(text) as string[]).map((hex) => Buffer.from(hex, 'hex'));
}

function formatHashes(hashes: readonly Hash[]): string {
  return JSON.stringify(hashes.map((hash) => hash.toString('hex')));
}
