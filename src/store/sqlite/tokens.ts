import type Database from 'better-sqlite3';
import type { ApiToken, Role } from '../../identity/tokens.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Store } from '../types.js';

/** The store's API-token methods (issue 7). */
export type TokenMethods = Pick<Store, 'createToken' | 'findToken' | 'listTokens' | 'revokeToken'>;

type TokenRow = {
  id: string;
  secret_sha256: string;
  name: string;
  role: string;
  /** A JSON array of team ids, or `null` for every team. */
  teams: string | null;
  created_at: string;
  revoked_at: string | null;
};

const MAX_TOKEN_PAGE = 1000;

/** The API-token table's statements, prepared once on `database`. */
export function tokenMethods(database: Database.Database): TokenMethods {
  const insert = database.prepare<[TokenRow]>(`
    INSERT INTO api_tokens (id, secret_sha256, name, role, teams, created_at, revoked_at)
    VALUES (@id, @secret_sha256, @name, @role, @teams, @created_at, @revoked_at)`);
  const selectByHash = database.prepare<[string], TokenRow>(
    'SELECT * FROM api_tokens WHERE secret_sha256 = ?',
  );
  const selectById = database.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE id = ?');
  const selectPage = database.prepare<[string, number], TokenRow>(
    'SELECT * FROM api_tokens WHERE id < ? ORDER BY id DESC LIMIT ?',
  );
  const revoke = database.prepare<[string, string]>(
    'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );

  return {
    async createToken(token, secretHash) {
      insert.run({
        id: token.id,
        secret_sha256: secretHash,
        name: token.name,
        role: token.role,
        teams: token.teams === null ? null : JSON.stringify(token.teams),
        created_at: token.createdAt,
        revoked_at: token.revokedAt,
      });
    },
    async findToken(secretHash) {
      const row = selectByHash.get(secretHash);
      return row ? fromTokenRow(row) : null;
    },
    async listTokens(limit, cursor) {
      const pageSize = Math.min(MAX_TOKEN_PAGE, Math.max(1, Math.floor(limit) || MAX_TOKEN_PAGE));
      // Ids are UUIDv7, so every id sorts below the highest character here.
      const after = cursor === null ? '\uffff' : decodeCursor(cursor);
      const rows = selectPage.all(after, pageSize + 1);
      const page = rows.slice(0, pageSize);
      const last = page.at(-1);
      return {
        tokens: page.map(fromTokenRow),
        nextCursor: rows.length > pageSize && last ? encodeCursor(last.id) : null,
      };
    },
    async revokeToken(id, time) {
      revoke.run(time, id);
      const row = selectById.get(id);
      return row ? fromTokenRow(row) : null;
    },
  };
}

function fromTokenRow(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    // Both columns hold what this store wrote itself from typed values.
    role: row.role as Role,
    teams: row.teams === null ? null : (JSON.parse(row.teams) as string[]),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
