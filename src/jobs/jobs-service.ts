/**
 * Durable jobs (design decision 8): rows in `jobs`, claimed with `FOR UPDATE SKIP LOCKED` so that
 * several server nodes run each job once; a claim is a lease (`locked_until`), so a job whose node died
 * is claimed again after the lease. Recurring kinds schedule their next run in the transaction that
 * finishes the current one, so a restart neither loses nor doubles a run.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { newId } from '../core/ids.js';

export interface JobHandler {
  run(tenantId: string, now: Date): Promise<Record<string, unknown>>;
  /** When the next run is due after one at `now`; omit for one-off jobs. */
  next?(now: Date): Date;
}

export interface JobRow { tenant_id: string; id: string; kind: string; attempts: number }

const LEASE_MS = 10 * 60_000;
const MAX_ATTEMPTS = 5;

/** The next 01:00 China Standard Time (17:00 UTC) strictly after `now`. */
export function nextDailyRun(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCHours(17, 0, 0, 0);
  if (d.getTime() <= now.getTime()) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

export function createJobsService(deps: { db: Db; onError?: (kind: string, e: unknown) => void }) {
  const { db } = deps;
  const handlers = new Map<string, JobHandler>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  async function schedule(tenantId: string, kind: string, runAt: Date): Promise<void> {
    await sql`insert into jobs (tenant_id, id, kind, run_at) values (${tenantId}, ${newId('job')}, ${kind}, ${runAt})
      on conflict (tenant_id, kind) where state in ('queued', 'running') do nothing`.execute(db.kysely);
  }

  async function claim(now: Date, limit: number): Promise<JobRow[]> {
    return db.transaction(async (tx) => {
      const rows = await sql<JobRow>`select tenant_id, id, kind, attempts from jobs
        where (state = 'queued' and run_at <= ${now}) or (state = 'running' and locked_until < ${now})
        order by run_at limit ${limit} for update skip locked`.execute(tx);
      // attempts counts claims in the database itself: a job claimed twice shows it.
      for (const r of rows.rows) {
        await tx.updateTable('jobs').set((eb) => ({ state: 'running', locked_until: new Date(now.getTime() + LEASE_MS), attempts: eb('attempts', '+', 1) }))
          .where('tenant_id', '=', r.tenant_id).where('id', '=', r.id).execute();
      }
      return rows.rows;
    });
  }

  async function runOne(job: JobRow, now: Date): Promise<{ id: string; kind: string; ok: boolean; result?: Record<string, unknown>; error?: string }> {
    const h = handlers.get(job.kind);
    try {
      if (!h) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await h.run(job.tenant_id, now);
      await db.transaction(async (tx) => {
        await tx.updateTable('jobs').set({ state: 'done', result: JSON.stringify(result), finished_at: new Date(), locked_until: null, last_error: null })
          .where('tenant_id', '=', job.tenant_id).where('id', '=', job.id).execute();
        if (h.next) await sql`insert into jobs (tenant_id, id, kind, run_at) values (${job.tenant_id}, ${newId('job')}, ${job.kind}, ${h.next(now)})
          on conflict (tenant_id, kind) where state in ('queued', 'running') do nothing`.execute(tx);
      });
      return { id: job.id, kind: job.kind, ok: true, result };
    } catch (e) {
      deps.onError?.(job.kind, e);
      const message = (e as Error)?.message ?? String(e);
      const failed = job.attempts + 1 >= MAX_ATTEMPTS;
      await db.kysely.updateTable('jobs').set({
        state: failed ? 'failed' : 'queued', last_error: message.slice(0, 500), locked_until: null,
        run_at: new Date(now.getTime() + 60_000 * 2 ** job.attempts), ...(failed ? { finished_at: new Date() } : {}),
      }).where('tenant_id', '=', job.tenant_id).where('id', '=', job.id).execute();
      if (failed && h?.next) await schedule(job.tenant_id, job.kind, h.next(now));
      return { id: job.id, kind: job.kind, ok: false, error: message };
    }
  }

  const service = {
    register(kind: string, handler: JobHandler) { handlers.set(kind, handler); },
    schedule,
    /** Make sure every recurring kind has a pending run for every tenant (idempotent). */
    async ensureRecurring(now: Date = new Date()) {
      const tenants = await db.kysely.selectFrom('tenants').select('id').where('state', '=', 'active').execute();
      for (const t of tenants) for (const [kind, h] of handlers) if (h.next) await schedule(t.id, kind, now);
    },
    /** Claim and run the jobs due at `now`; returns what ran. */
    async runDue(now: Date = new Date(), limit = 20) {
      const out = [];
      for (const job of await claim(now, limit)) out.push(await runOne(job, now));
      return out;
    },
    async list(tenantId: string, limit = 50) {
      return db.kysely.selectFrom('jobs').select(['id', 'kind', 'state', 'run_at', 'attempts', 'last_error', 'result', 'created_at', 'finished_at'])
        .where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(limit).execute();
    },
    /** Poll for due jobs every intervalMs until stop(). */
    start(intervalMs = 30_000) {
      if (timer) return;
      const tick = () => {
        if (running) return;
        running = service.ensureRecurring().then(() => service.runDue()).catch((e) => deps.onError?.('worker', e)).finally(() => { running = null; });
      };
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
  return service;
}
export type JobsService = ReturnType<typeof createJobsService>;
