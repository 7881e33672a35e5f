import type pg from 'pg';

/** Advisory lock keys (two-int form, class 7305 = this receiver): schema migrations, and every write transaction. */
const MIGRATION_LOCK = '7305, 0';
export const WRITE_LOCK = '7305, 1';

/**
 * Schema migrations, applied in order; `receiver_schema` records which ran. Append only. Version 1 is the SQLite
 * store's current schema (after its two migrations): the same tables, columns and indexes, in PostgreSQL types.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE notifications (
     seq BIGSERIAL PRIMARY KEY,
     identity TEXT NOT NULL UNIQUE,
     event_type INTEGER NOT NULL,
     stream_id TEXT,
     received_at BIGINT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE TABLE recordings (
     seq BIGINT PRIMARY KEY REFERENCES notifications(seq),
     stream_id TEXT NOT NULL,
     record_id TEXT,
     file_format TEXT NOT NULL,
     start_time DOUBLE PRECISION NOT NULL,
     end_time DOUBLE PRECISION NOT NULL,
     duration DOUBLE PRECISION NOT NULL,
     file_size DOUBLE PRECISION NOT NULL,
     url TEXT NOT NULL,
     web BOOLEAN NOT NULL
   );
   CREATE INDEX recordings_newest ON recordings(web, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_record ON recordings(record_id, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_stream ON recordings(stream_id, start_time DESC, seq DESC);
   CREATE INDEX recordings_seq_web ON recordings(seq) WHERE web;
   CREATE TABLE statuses (
     seq BIGINT PRIMARY KEY REFERENCES notifications(seq),
     stream_id TEXT NOT NULL,
     record_id TEXT,
     status TEXT NOT NULL,
     message TEXT NOT NULL,
     time DOUBLE PRECISION NOT NULL
   );
   CREATE INDEX statuses_by_record ON statuses(record_id, seq);
   CREATE INDEX statuses_by_stream ON statuses(stream_id, seq);`,
];

/**
 * Brings the schema up to date, once: every instance calls this at start, the first to take the advisory lock
 * applies what is missing in one transaction, the others wait for it and then find nothing to do.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS receiver_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM receiver_schema',
    );
    for (let i = rows[0].v ?? 0; i < MIGRATIONS.length; i++) {
      await client.query(MIGRATIONS[i]);
      await client.query('INSERT INTO receiver_schema (version) VALUES ($1)', [i + 1]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}
