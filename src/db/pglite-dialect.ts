/**
 * Kysely talks to PGlite through the PostgreSQL dialect with a one-connection "pool": PGlite is a
 * single session, so every query and transaction takes a mutex and runs alone.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

const COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SELECT']);

export function pgliteDialect(db: PGlite): PostgresDialect {
  const mutex = new Mutex();
  const pool: PostgresPool = {
    async connect(): Promise<PostgresPoolClient> {
      const release = await mutex.lock();
      let released = false;
      return {
        async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          const res = await db.query<R>(sql, parameters as unknown[]);
          const word = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT';
          const command = (COMMANDS.has(word) ? word : 'SELECT') as PostgresQueryResult<R>['command'];
          return { command, rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
        },
        release() {
          if (!released) { released = true; release(); }
        },
      } as PostgresPoolClient;
    },
    async end() { /* the owner closes PGlite */ },
  };
  return new PostgresDialect({ pool });
}
