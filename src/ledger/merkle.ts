/**
 * The Merkle tree of RFC 9162 section 2.1 (RFC 6962's hashing): tree hashes, inclusion and
 * consistency proofs, and their verification. Hashes are 32-byte SHA-256 digests.
 */
import { createHash } from 'node:crypto';

/** A SHA-256 digest. */
export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The hash of the empty tree: SHA-256 of the empty string (RFC 9162 section 2.1.1). */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** SHA-256(0x00 || leaf): the hash of one leaf (RFC 9162 section 2.1.1). */
export function hashLeaf(leaf: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right): the hash of an interior node (RFC 9162 section 2.1.1). */
export function hashNode(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two smaller than `size` (`size` > 1). */
function splitPoint(size: number): number {
  let split = 1;
  while (split * 2 < size) split *= 2;
  return split;
}

/** MTH(D[n]): the root hash of the tree over `leafHashes` (RFC 9162 section 2.1.1). */
export function rootHash(leafHashes: readonly Hash[]): Hash {
  const frontier = new Frontier();
  for (const leafHash of leafHashes) frontier.append(leafHash);
  return frontier.root();
}

/**
 * Subtree roots already computed over one list of leaf hashes, keyed by `start:end`. Proofs
 * for many leaves of one tree share most of their nodes; with one cache, the proofs of a run of
 * k neighbouring leaves cost O(n log n) hashes in all instead of O(k n).
 */
export type SubtreeCache = Map<string, Hash>;

/**
 * MTH(D[start:end]): the hash of the subtree over leaves `[start, end)`. Proofs ask only for
 * the subtrees RFC 9162's recursion visits; a store answers them from the nodes it keeps.
 */
export type SubtreeHash = (start: number, end: number) => Hash;

/** PATH(m, D[n]): the inclusion proof of leaf `index` in the tree of `leafHashes`. */
export function inclusionProof(
  index: number,
  leafHashes: readonly Hash[],
  cache: SubtreeCache = new Map(),
): Hash[] {
  return inclusionProofOf(index, leafHashes.length, leafSubtrees(leafHashes, cache));
}

/** PATH(m, D[n]) of leaf `index` in a tree of `size` leaves whose subtrees `subtree` gives. */
export function inclusionProofOf(index: number, size: number, subtree: SubtreeHash): Hash[] {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`index: expected 0 to ${size - 1}, got ${index}`);
  }
  return subtreePath(index, subtree, 0, size);
}

/** Subtree hashes of a list of leaf hashes, each computed once per cache. */
function leafSubtrees(leaves: readonly Hash[], cache: SubtreeCache): SubtreeHash {
  // Only proof nodes are cached (O(log n) per proof), never every interior node, so one proof
  // over a large list stays small in memory.
  return (start, end) => {
    const key = `${start}:${end}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const root = rootHash(leaves.slice(start, end));
    cache.set(key, root);
    return root;
  };
}

function subtreePath(index: number, subtree: SubtreeHash, start: number, end: number): Hash[] {
  const size = end - start;
  if (size === 1) return [];
  const split = splitPoint(size);
  if (index < split) {
    return [...subtreePath(index, subtree, start, start + split), subtree(start + split, end)];
  }
  return [
    ...subtreePath(index - split, subtree, start + split, end),
    subtree(start, start + split),
  ];
}

/** PROOF(m, D[n]): the consistency proof from the tree of the first `oldSize` leaves. */
export function consistencyProof(oldSize: number, leafHashes: readonly Hash[]): Hash[] {
  return consistencyProofOf(oldSize, leafHashes.length, leafSubtrees(leafHashes, new Map()));
}

/** PROOF(m, D[n]) from `oldSize` to `newSize` leaves of a tree whose subtrees `subtree` gives. */
export function consistencyProofOf(oldSize: number, newSize: number, subtree: SubtreeHash): Hash[] {
  if (!Number.isInteger(oldSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`from: expected 0 to ${newSize}, got ${oldSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  return subproof(oldSize, subtree, 0, newSize, true);
}

function subproof(
  oldSize: number,
  subtree: SubtreeHash,
  start: number,
  end: number,
  complete: boolean,
): Hash[] {
  const size = end - start;
  if (oldSize === size) return complete ? [] : [subtree(start, end)];
  const split = splitPoint(size);
  if (oldSize <= split) {
    return [
      ...subproof(oldSize, subtree, start, start + split, complete),
      subtree(start + split, end),
    ];
  }
  return [
    ...subproof(oldSize - split, subtree, start + split, end, false),
    subtree(start, start + split),
  ];
}

/**
 * MTH(D[start:end]) from complete subtrees: `node(level, position)` is the root of the
 * 2^level leaves from position * 2^level. A range that is not one such subtree is split as
 * RFC 9162 section 2.1.1 splits it, so a proof's subtree costs O(log n) nodes.
 */
export function subtreeFromNodes(
  start: number,
  end: number,
  node: (level: number, position: number) => Hash,
): Hash {
  const size = end - start;
  if (isPowerOfTwo(size) && start % size === 0) return node(Math.log2(size), start / size);
  const split = splitPoint(size);
  return hashNode(
    subtreeFromNodes(start, start + split, node),
    subtreeFromNodes(start + split, end, node),
  );
}

/** Whether `proof` shows leaf `index` with `leafHash` in the tree of `size` with `root` (RFC 9162 section 2.1.3.2). */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (index < 0 || index >= size) return false;
  let first = index;
  let second = size - 1;
  let hash = leafHash;
  for (const sibling of proof) {
    if (second === 0) return false;
    if (first % 2 === 1 || first === second) {
      hash = hashNode(sibling, hash);
      if (first % 2 === 0) {
        while (first % 2 === 0 && first !== 0) {
          first = Math.floor(first / 2);
          second = Math.floor(second / 2);
        }
      }
    } else {
      hash = hashNode(hash, sibling);
    }
    first = Math.floor(first / 2);
    second = Math.floor(second / 2);
  }
  return second === 0 && hash.equals(root);
}

/** Whether `proof` shows the tree (`newSize`, `newRoot`) extends (`oldSize`, `oldRoot`) (RFC 9162 section 2.1.4.2). */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Hash,
  newRoot: Hash,
  proof: readonly Hash[],
): boolean {
  if (oldSize < 0 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  // Every tree extends the empty one; RFC 9162 defines proofs only for 0 < m < n.
  if (oldSize === 0) return proof.length === 0;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  const [head, ...rest] = path;
  if (!head) return false;

  let first = oldSize - 1;
  let second = newSize - 1;
  while (first % 2 === 1) {
    first = Math.floor(first / 2);
    second = Math.floor(second / 2);
  }
  let oldHash = head;
  let newHash = head;
  for (const node of rest) {
    if (second === 0) return false;
    if (first % 2 === 1 || first === second) {
      oldHash = hashNode(node, oldHash);
      newHash = hashNode(node, newHash);
      while (first % 2 === 0 && first !== 0) {
        first = Math.floor(first / 2);
        second = Math.floor(second / 2);
      }
    } else {
      newHash = hashNode(newHash, node);
    }
    first = Math.floor(first / 2);
    second = Math.floor(second / 2);
  }
  return second === 0 && oldHash.equals(oldRoot) && newHash.equals(newRoot);
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/**
 * The right edge of a growing tree: the roots of its complete subtrees, largest first, one per
 * set bit of the size. Appending and taking the root cost O(log n), whatever the size.
 */
export class Frontier {
  #size: number;
  readonly #nodes: Hash[];

  constructor(size = 0, nodes: readonly Hash[] = []) {
    if (countBits(size) !== nodes.length) {
      throw new RangeError(
        `frontier: a tree of ${size} leaves has ${countBits(size)} nodes, got ${nodes.length}`,
      );
    }
    this.#size = size;
    this.#nodes = [...nodes];
  }

  /** How many leaves the tree holds. */
  get size(): number {
    return this.#size;
  }

  /** The subtree roots, largest first (what is kept to resume appending). */
  get nodes(): readonly Hash[] {
    return this.#nodes;
  }

  /**
   * Adds one leaf by its leaf hash. `closed` hears of each complete subtree the leaf closes:
   * its level (2^level leaves) and root, lowest first.
   */
  append(leafHash: Hash, closed?: (level: number, hash: Hash) => void): void {
    let hash = leafHash;
    let level = 0;
    // Each low set bit is a complete subtree of the same size as what is being carried.
    for (let size = this.#size; size % 2 === 1; size = Math.floor(size / 2)) {
      const left = this.#nodes.pop();
      if (!left) break;
      hash = hashNode(left, hash);
      level += 1;
      closed?.(level, hash);
    }
    this.#nodes.push(hash);
    this.#size += 1;
  }

  /** The tree's root hash (MTH). */
  root(): Hash {
    let hash = this.#nodes.at(-1);
    if (!hash) return EMPTY_ROOT;
    for (let position = this.#nodes.length - 2; position >= 0; position -= 1) {
      hash = hashNode(this.#nodes[position] as Hash, hash);
    }
    return hash;
  }

  /** An independent copy. */
  clone(): Frontier {
    return new Frontier(this.#size, this.#nodes);
  }
}

function countBits(value: number): number {
  let count = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
