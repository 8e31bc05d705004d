import { newEventId } from '../event/ids.js';
import type { KeyPage, Store } from '../store/types.js';
import { generateKey, hashKey, type KeyBindings, type VirtualKey } from './keys.js';

/** Keys kept in memory at most; beyond it the oldest looked-up key is dropped first. */
const MAX_CACHED_KEYS = 10_000;

type KeyStore = Pick<Store, 'createKey' | 'findKey' | 'listKeys' | 'revokeKey'>;

/**
 * The gateway's virtual keys: the store holds them; a cache of the keys presented lately
 * spares a call the round trip to the store thread. A revocation made through this registry
 * empties the key's entry before it answers, so it applies to the next call. One gateway owns
 * a data folder, so every revocation passes through here.
 * TODO(#7): several instances on one PostgreSQL store will need revocations broadcast to
 * every instance's cache.
 */
export class KeyRegistry {
  readonly #store: KeyStore;
  readonly #cache = new Map<string, VirtualKey>();
  readonly #hashById = new Map<string, string>();
  /** Counts revocations, so that a lookup that raced one does not cache what it read. */
  #revocations = 0;

  constructor(store: KeyStore) {
    this.#store = store;
  }

  /** Issues a key: returns its text (to show once) and what is stored. */
  async create(
    bindings: KeyBindings,
    now = new Date(),
  ): Promise<{ key: string; record: VirtualKey }> {
    const { key, secretHash } = generateKey();
    const record: VirtualKey = {
      id: newEventId(),
      ...bindings,
      createdAt: now.toISOString(),
      revokedAt: null,
    };
    await this.#store.createKey(record, secretHash);
    return { key, record };
  }

  /** The stored key a caller's key text stands for, or `null` when none does. */
  async resolve(text: string): Promise<VirtualKey | null> {
    const secretHash = hashKey(text);
    const cached = this.#cache.get(secretHash);
    if (cached) return cached;

    const revocationsBefore = this.#revocations;
    const found = await this.#store.findKey(secretHash);
    // Unknown keys are not cached: a flood of made-up keys must not push real ones out.
    if (found && this.#revocations === revocationsBefore) this.#remember(secretHash, found);
    return found;
  }

  /** Revokes a key at once; `null` when no key has this id. */
  async revoke(id: string, now = new Date()): Promise<VirtualKey | null> {
    this.#revocations += 1;
    const revoked = await this.#store.revokeKey(id, now.toISOString());
    const secretHash = this.#hashById.get(id);
    if (secretHash !== undefined) {
      this.#cache.delete(secretHash);
      this.#hashById.delete(id);
    }
    return revoked;
  }

  /** Keys newest first, revoked and expired ones included. */
  list(limit: number, cursor: string | null): Promise<KeyPage> {
    return this.#store.listKeys(limit, cursor);
  }

  #remember(secretHash: string, key: VirtualKey): void {
    if (this.#cache.size >= MAX_CACHED_KEYS) {
      const [oldestHash, oldest] = this.#cache.entries().next().value ?? [];
      if (oldestHash !== undefined && oldest) {
        this.#cache.delete(oldestHash);
        this.#hashById.delete(oldest.id);
      }
    }
    this.#cache.set(secretHash, key);
    this.#hashById.set(key.id, secretHash);
  }
}
