import type Database from 'better-sqlite3';

/** One schema step. Steps are applied once each, in version order, never edited afterwards. */
export type Migration = { version: number; name: string; sql: string };

/**
 * The schema, oldest step first. Add a step to change the schema; never edit a step that has
 * shipped, since databases that already applied it will not run it again.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events, event content and the journal',
    sql: `
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        time TEXT NOT NULL,
        user_id TEXT,
        session_id TEXT,
        trace_id TEXT NOT NULL,
        agent_id TEXT,
        app_id TEXT,
        team_id TEXT,
        provider TEXT,
        model TEXT,
        outcome TEXT NOT NULL,
        envelope TEXT NOT NULL
      );
      CREATE INDEX events_by_user ON events (user_id, id);
      CREATE INDEX events_by_session ON events (session_id, id);
      CREATE INDEX events_by_trace ON events (trace_id, id);
      CREATE INDEX events_by_agent ON events (agent_id, id);
      CREATE INDEX events_by_app ON events (app_id, id);
      CREATE INDEX events_by_team ON events (team_id, id);
      CREATE INDEX events_by_provider ON events (provider, id);
      CREATE INDEX events_by_model ON events (model, id);
      CREATE INDEX events_by_kind ON events (kind, id);
      CREATE INDEX events_by_outcome ON events (outcome, id);
      CREATE INDEX events_by_time ON events (time, id);

      CREATE TABLE event_content (
        event_id TEXT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
        content TEXT NOT NULL
      );

      CREATE TABLE journal (
        event_id TEXT PRIMARY KEY,
        time TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        provider TEXT,
        model TEXT,
        key_fingerprint TEXT,
        client_address TEXT,
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        parent_span_id TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'the ledger: leaves, content salts and commitments, logs, checkpoints, holds',
    sql: `
      ALTER TABLE events ADD COLUMN log_id TEXT;
      ALTER TABLE events ADD COLUMN leaf_index INTEGER;
      ALTER TABLE events ADD COLUMN leaf_hash TEXT;
      ALTER TABLE events ADD COLUMN content_commitment TEXT;
      CREATE UNIQUE INDEX events_by_leaf ON events (log_id, leaf_index);

      ALTER TABLE event_content ADD COLUMN salt TEXT;

      CREATE TABLE ledger_logs (
        log_id TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        public_key TEXT NOT NULL,
        tree_size INTEGER NOT NULL,
        frontier TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE ledger_checkpoints (
        log_id TEXT NOT NULL REFERENCES ledger_logs (log_id),
        tree_size INTEGER NOT NULL,
        root_hash TEXT NOT NULL,
        frontier TEXT NOT NULL,
        note TEXT NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (log_id, tree_size)
      );

      CREATE TABLE holds (
        id TEXT PRIMARY KEY,
        subject TEXT,
        from_time TEXT,
        to_time TEXT,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        released_at TEXT
      );
    `,
  },
  {
    version: 3,
    name: 'spend: hourly and daily rollups by attribution, model and provider; cost per event',
    sql: `
      ALTER TABLE events ADD COLUMN cost_usd REAL;
      ALTER TABLE events ADD COLUMN tokens INTEGER;

      -- One row per hour and attribution; '' stands for none, so that rows upsert by key.
      CREATE TABLE spend_hourly (
        hour TEXT NOT NULL,
        key_id TEXT NOT NULL,
        team_id TEXT NOT NULL,
        business_unit TEXT NOT NULL,
        project TEXT NOT NULL,
        app_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        calls INTEGER NOT NULL,
        unknown_cost_calls INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        PRIMARY KEY (hour, key_id, team_id, business_unit, project, app_id, agent_id, user_id,
          provider, model)
      ) WITHOUT ROWID;

      -- The same by day, so that a long range reads a day's row instead of 24 hours' rows.
      CREATE TABLE spend_daily (
        day TEXT NOT NULL,
        key_id TEXT NOT NULL,
        team_id TEXT NOT NULL,
        business_unit TEXT NOT NULL,
        project TEXT NOT NULL,
        app_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        calls INTEGER NOT NULL,
        unknown_cost_calls INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        cache_write_tokens INTEGER NOT NULL,
        reasoning_tokens INTEGER NOT NULL,
        PRIMARY KEY (day, key_id, team_id, business_unit, project, app_id, agent_id, user_id,
          provider, model)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: "virtual keys and people's API tokens, stored as hashes",
    sql: `
      CREATE TABLE virtual_keys (
        id TEXT PRIMARY KEY,
        secret_sha256 TEXT NOT NULL UNIQUE,
        team_id TEXT NOT NULL,
        app_id TEXT NOT NULL,
        agent_id TEXT,
        actor_type TEXT,
        project TEXT,
        business_unit TEXT,
        models TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT
      );

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        secret_sha256 TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        teams TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
    `,
  },
  {
    version: 5,
    name: 'ledger: the roots of complete subtrees of 256 leaves and more, for O(log n) proofs',
    sql: `
      CREATE TABLE ledger_nodes (
        log_id TEXT NOT NULL,
        level INTEGER NOT NULL,
        position INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (log_id, level, position)
      ) WITHOUT ROWID;
    `,
  },
];

/** Raised when the database was written by a newer auditgate than this one. */
export class SchemaTooNewError extends Error {
  readonly code = 'schema_too_new';

  constructor(found: number, known: number) {
    super(`database schema version is ${found}, this auditgate knows up to ${known}`);
    this.name = 'SchemaTooNewError';
  }
}

/** Applies every step not yet applied, each in its own transaction; returns the versions run. */
export function migrate(
  database: Database.Database,
  steps: readonly Migration[] = migrations,
): number[] {
  database.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )
  `);
  const latestKnown = steps.reduce((latest, step) => Math.max(latest, step.version), 0);
  const selectLatest = database.prepare<[], { version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_migrations',
  );
  const selectApplied = database.prepare<[number], { version: number }>(
    'SELECT version FROM schema_migrations WHERE version = ?',
  );
  const insertApplied = database.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );

  const latestApplied = selectLatest.get()?.version ?? 0;
  if (latestApplied > latestKnown) throw new SchemaTooNewError(latestApplied, latestKnown);

  const applied: number[] = [];
  for (const step of [...steps].sort((left, right) => left.version - right.version)) {
    // IMMEDIATE takes the write lock before the check, so two processes opening the same
    // file at once cannot both run a step.
    const ran = database
      .transaction(() => {
        if (selectApplied.get(step.version)) return false;
        database.exec(step.sql);
        insertApplied.run(step.version, step.name, new Date().toISOString());
        return true;
      })
      .immediate();
    if (ran) applied.push(step.version);
  }
  return applied;
}
