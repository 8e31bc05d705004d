import type Database from 'better-sqlite3';
import type { ActorType } from '../../event/types.js';
import type { VirtualKey } from '../../identity/keys.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Store } from '../types.js';

/** The store's virtual-key methods (issue 7). */
export type KeyMethods = Pick<Store, 'createKey' | 'findKey' | 'listKeys' | 'revokeKey'>;

type KeyRow = {
  id: string;
  secret_sha256: string;
  team_id: string;
  app_id: string;
  agent_id: string | null;
  actor_type: string | null;
  project: string | null;
  business_unit: string | null;
  /** A JSON array of model names, or `null` for any model. */
  models: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
};

/** The largest page of keys one list returns. */
const MAX_KEY_PAGE = 1000;

/** The virtual-key table's statements, prepared once on `database`. */
export function keyMethods(database: Database.Database): KeyMethods {
  const insert = database.prepare<[KeyRow]>(`
    INSERT INTO virtual_keys (id, secret_sha256, team_id, app_id, agent_id, actor_type,
      project, business_unit, models, created_at, expires_at, revoked_at)
    VALUES (@id, @secret_sha256, @team_id, @app_id, @agent_id, @actor_type,
      @project, @business_unit, @models, @created_at, @expires_at, @revoked_at)`);
  const selectByHash = database.prepare<[string], KeyRow>(
    'SELECT * FROM virtual_keys WHERE secret_sha256 = ?',
  );
  const selectById = database.prepare<[string], KeyRow>('SELECT * FROM virtual_keys WHERE id = ?');
  const selectPage = database.prepare<[string, number], KeyRow>(
    'SELECT * FROM virtual_keys WHERE id < ? ORDER BY id DESC LIMIT ?',
  );
  const revoke = database.prepare<[string, string]>(
    'UPDATE virtual_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );

  return {
    async createKey(key, secretHash) {
      insert.run(toKeyRow(key, secretHash));
    },
    async findKey(secretHash) {
      const row = selectByHash.get(secretHash);
      return row ? fromKeyRow(row) : null;
    },
    async listKeys(limit, cursor) {
      const pageSize = Math.min(MAX_KEY_PAGE, Math.max(1, Math.floor(limit) || MAX_KEY_PAGE));
      // Ids are UUIDv7, so every id sorts below the highest character here.
      const after = cursor === null ? '\uffff' : decodeCursor(cursor);
      const rows = selectPage.all(after, pageSize + 1);
      const page = rows.slice(0, pageSize);
      const last = page.at(-1);
      return {
        keys: page.map(fromKeyRow),
        nextCursor: rows.length > pageSize && last ? encodeCursor(last.id) : null,
      };
    },
    async revokeKey(id, time) {
      revoke.run(time, id);
      const row = selectById.get(id);
      return row ? fromKeyRow(row) : null;
    },
  };
}

function toKeyRow(key: VirtualKey, secretHash: string): KeyRow {
  return {
    id: key.id,
    secret_sha256: secretHash,
    team_id: key.teamId,
    app_id: key.appId,
    agent_id: key.agentId,
    actor_type: key.actorType,
    project: key.project,
    business_unit: key.businessUnit,
    models: key.models === null ? null : JSON.stringify(key.models),
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
  };
}

function fromKeyRow(row: KeyRow): VirtualKey {
  return {
    id: row.id,
    teamId: row.team_id,
    appId: row.app_id,
    agentId: row.agent_id,
    // Both columns hold what this store wrote itself from typed values.
    actorType: row.actor_type as ActorType | null,
    project: row.project,
    businessUnit: row.business_unit,
    models: row.models === null ? null : (JSON.parse(row.models) as string[]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
