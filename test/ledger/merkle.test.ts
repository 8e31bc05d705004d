import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  consistencyProof,
  consistencyProofOf,
  Frontier,
  hashLeaf,
  inclusionProof,
  inclusionProofOf,
  rootHash,
  subtreeFromNodes,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/merkle.js';

type Vectors = { leaves: string[]; rootsBySize: string[] };
const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/merkle/rfc6962-vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const leafHashes = vectors.leaves.map((leaf) => hashLeaf(Buffer.from(leaf, 'hex')));
const roots = vectors.rootsBySize.map((root) => Buffer.from(root, 'hex'));

describe('RFC 6962 hashing', () => {
  it('reproduces every root in the test vectors, from the leaves and from a frontier', () => {
    assert.equal(roots.length, 9);
    for (let size = 0; size < roots.length; size += 1) {
      assert.equal(rootHash(leafHashes.slice(0, size)).toString('hex'), vectors.rootsBySize[size]);
      const frontier = new Frontier();
      for (const leafHash of leafHashes.slice(0, size)) frontier.append(leafHash);
      assert.equal(frontier.root().toString('hex'), vectors.rootsBySize[size]);
    }
  });

  it('hashes the empty tree as SHA-256 of nothing', () => {
    assert.equal(
      rootHash([]).toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('proves every leaf of every tree size against the vector roots', () => {
    for (let size = 1; size < roots.length; size += 1) {
      for (let index = 0; index < size; index += 1) {
        const proof = inclusionProof(index, leafHashes.slice(0, size));
        const root = roots[size]!;
        assert.ok(
          verifyInclusion(index, size, leafHashes[index]!, proof, root),
          `${index}/${size}`,
        );
        // The same proof for another leaf, or against another root, fails.
        const other = leafHashes[(index + 1) % size]!;
        if (size > 1) assert.ok(!verifyInclusion(index, size, other, proof, root));
        assert.ok(!verifyInclusion(index, size, leafHashes[index]!, proof, roots[size - 1]!));
      }
    }
  });

  it('gives the same proofs with a cache shared across the leaves of one tree', () => {
    const cache = new Map();
    for (let index = 0; index < leafHashes.length; index += 1) {
      const shared = inclusionProof(index, leafHashes, cache);
      assert.ok(verifyInclusion(index, 8, leafHashes[index]!, shared, roots[8]!), `${index}/8`);
    }
  });

  it('proves every smaller tree consistent with every larger one against the vector roots', () => {
    for (let newSize = 1; newSize < roots.length; newSize += 1) {
      for (let oldSize = 1; oldSize <= newSize; oldSize += 1) {
        const proof = consistencyProof(oldSize, leafHashes.slice(0, newSize));
        const [oldRoot, newRoot] = [roots[oldSize]!, roots[newSize]!];
        assert.ok(
          verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof),
          `${oldSize}->${newSize}`,
        );
        if (oldSize < newSize) {
          // A different old root (a rewritten history) does not verify.
          assert.ok(!verifyConsistency(oldSize, newSize, roots[0]!, newRoot, proof));
        }
      }
    }
  });

  it('gives the proof sizes RFC 9162 describes for an 8-leaf tree', () => {
    // Leaf 5 of 8: its sibling 4, the pair 6-7, the left half 0-3.
    assert.equal(inclusionProof(5, leafHashes).length, 3);
    // Size 3 to 8 (RFC 9162 section 2.1.4.1): leaf 2, leaf 3, node 0-1, node 4-7.
    assert.equal(consistencyProof(3, leafHashes).length, 4);
    assert.equal(consistencyProof(4, leafHashes).length, 1);
  });
});

describe('proofs from stored complete subtrees', () => {
  it('builds every proof of the vectors from the subtrees a frontier closes', () => {
    const nodes = new Map<string, Buffer>();
    const frontier = new Frontier();
    leafHashes.forEach((leafHash, index) => {
      nodes.set(`0:${index}`, leafHash);
      frontier.append(leafHash, (level, hash) => nodes.set(`${level}:${index >>> level}`, hash));
    });
    // Eight leaves close four subtrees of 2, two of 4 and one of 8.
    assert.equal(nodes.size, 8 + 4 + 2 + 1);
    const subtree = (start: number, end: number) =>
      subtreeFromNodes(start, end, (level, position) => nodes.get(`${level}:${position}`)!);
    for (let size = 1; size < roots.length; size += 1) {
      assert.ok(subtree(0, size).equals(roots[size]!));
      for (let index = 0; index < size; index += 1) {
        const proof = inclusionProofOf(index, size, subtree);
        assert.ok(verifyInclusion(index, size, leafHashes[index]!, proof, roots[size]!));
      }
      for (let from = 1; from <= size; from += 1) {
        const proof = consistencyProofOf(from, size, subtree);
        assert.ok(verifyConsistency(from, size, roots[from]!, roots[size]!, proof));
      }
    }
  });
});
