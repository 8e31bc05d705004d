/** The ledger's records as the store keeps them and the API and bundles carry them. */

/** A signed checkpoint of one log. */
export type StoredCheckpoint = {
  logId: string;
  treeSize: number;
  /** Hex SHA-256 root hash (the note carries it in base64). */
  rootHash: string;
  /** The whole signed note, in the C2SP tlog-checkpoint format. */
  note: string;
  time: string;
};

/** One log in a store: its origin, key and size, and its latest checkpoint. */
export type LogState = {
  logId: string;
  origin: string;
  /** Base64 of the raw 32-byte Ed25519 public key that signs its checkpoints. */
  publicKey: string;
  treeSize: number;
  lastCheckpoint: StoredCheckpoint | null;
};

/** An event's inclusion proof against a checkpoint of its log. */
export type EventProof = {
  eventId: string;
  logId: string;
  index: number;
  leafHash: string;
  treeSize: number;
  /** Hex hashes, RFC 9162 section 2.1.3 order. */
  proof: string[];
  checkpoint: StoredCheckpoint;
};

/** A consistency proof between two sizes of one log. */
export type ConsistencyProof = {
  logId: string;
  from: number;
  to: number;
  /** Hex hashes, RFC 9162 section 2.1.4 order. */
  proof: string[];
  /** The checkpoints at those sizes, where there are any. */
  fromCheckpoint: StoredCheckpoint | null;
  toCheckpoint: StoredCheckpoint | null;
};

/** One event in an evidence bundle: what is needed to recompute its leaf and prove it. */
export type BundleEvent = {
  /** The envelope as stored, `ledger` field included. */
  envelope: Record<string, unknown>;
  contentCommitment: string | null;
  /** Its content and salt, where not erased. */
  content: unknown;
  salt: string | null;
  /** Inclusion proof against the bundle's checkpoint of its log, hex. */
  proof: string[];
};

/** Evidence for a time range: events, their proofs, the checkpoints and the public keys. */
export type EvidenceBundle = {
  format: 'auditgate-evidence-bundle/1';
  createdAt: string;
  from: string;
  to: string;
  logs: {
    logId: string;
    origin: string;
    publicKey: string;
    checkpoint: StoredCheckpoint;
    events: BundleEvent[];
  }[];
  /**
   * Events of the time range left out, per log: those newer than their log's last checkpoint
   * (all of a log that has none), which no signed root covers yet, such as the last events of
   * an instance that stopped without a checkpoint. Absent from bundles written before it.
   */
  leftOut?: BundleLeftOut[];
};

/** How many events of the time range one log's part of a bundle leaves out. */
export type BundleLeftOut = { logId: string; events: number; checkpointSize: number };

/** A legal hold: by subject (`user:ID`, `team:ID`), by time range, or both. */
export type Hold = {
  id: string;
  subject: string | null;
  from: string | null;
  to: string | null;
  reason: string;
  createdAt: string;
  releasedAt: string | null;
};

export type NewHold = Pick<Hold, 'subject' | 'from' | 'to' | 'reason'>;

/** The outcome of an erasure request. */
export type ErasureResult = {
  status: 'erased' | 'refused';
  /** The `erasure` event appended either way. */
  eventId: string;
  erasedEventIds: string[];
  refusedBy: string[];
};
