/**
 * Append-only audit log (design decision 6, ADR 0005): every access and change inserts its event inside
 * the caller's transaction; a chainer then gives committed events their place in the per-tenant hash
 * chain (sequence number, previous hash, hash) under the chain head's row lock, a few milliseconds later.
 * Checkpoints are signed (Ed25519 or SM2). Events never hold PI values: field names, ids, purposes,
 * decisions only.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { sql, type RawBuilder } from 'kysely';
import { autocommit, prepared, type Db, type Tx } from '../db/connection.js';
import { byteaColumn } from '../db/bytea-column.js';
import { idSql, newId } from '../core/ids.js';
import { verifyData, signData } from '../crypto/signing.js';
import { bodyHash, EVENT_BODY_SQL, eventBodySql, eventHashV1, GENESIS } from './audit-chain.js';

export interface Actor { type: 'api_key' | 'staff' | 'system' | 'subject' | 'cli'; id: string; tenantId: string; roles: string[]; clientIp?: string; requestId?: string }

export interface AuditInput {
  action: string;
  decision: 'allow' | 'deny';
  purpose?: string | null;
  subjectId?: string | null;
  collection?: string | null;
  recordId?: string | null;
  fields?: string[] | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

export interface VerifyResult { ok: boolean; events: number; checkpoints: number; brokenAt?: number; problem?: string }

export interface AuditDeps {
  db: Db;
  hashName(tx: Tx, tenantId: string): Promise<'sha256' | 'sm3'>;
  signingKey(tx: Tx, tenantId: string): Promise<{ id: string; algorithm: string; privateKeyPem: string }>;
  onChainError?(err: unknown): void;
  /** `audit verify` on PostgreSQL: at most `parallel` ranges of at least `minEvents` events checked at once. */
  verifyRanges?: { parallel: number; minEvents: number };
}

export interface AuditQuery { tenantId: string; subjectId?: string; actorId?: string; purpose?: string; action?: string; from?: Date; to?: Date; afterSeq?: number; limit?: number; /** Newest first, paged by beforeSeq. */ order?: 'asc' | 'desc'; beforeSeq?: number; decision?: 'allow' | 'deny' }

/** Ids of events a read or search statement inserts (time-ordered, as newId's). */
const EVT_ID_SQL = idSql('evt');
/** Events chained per statement by the chainer. */
const CHAIN_CHUNK = 5000;
/** How long after an append the chainer runs (appends in between share one run). */
const CHAIN_DELAY_MS = 50;
/** `audit verify` on PostgreSQL, by default: up to one range per core (2 to 4) of at least 50,000 events each. */
const VERIFY_RANGES = { parallel: Math.max(2, Math.min(4, availableParallelism())), minEvents: 50_000 };
const SM3_PROBE = Buffer.from('custodian audit sm3 probe');
/** Safety sweep for events a stopped process left unchained. */
const SWEEP_MS = 5000;

type Broken = { seq: number; problem: string };

export function createAuditService(deps: AuditDeps) {
  const { db } = deps;
  const ranges = deps.verifyRanges ?? VERIFY_RANGES;
  /** One ranged verify at a time per process, so concurrent verifies cannot take the whole pool and wait on it. */
  let rangedVerifyRunning = false;
  /**
   * SM3 chains are rehashed by PostgreSQL too when the pgcrypto extension is installed and its digest() knows SM3
   * (OpenSSL's). The function is called by the extension's own schema, so a function of the same name created on the
   * search path (by whoever can write the application's schema) cannot answer for it; it is checked against
   * node:crypto, on another connection (a failed statement there leaves the caller's transaction alone). Without it
   * SM3 chains are walked in this process, about fifteen times slower. A missing extension is looked for again after ten
   * minutes.
   */
  let sm3Db: { at: number; schema: Promise<string | null> } | null = null;
  function sm3Schema(): Promise<string | null> {
    if (db.kind !== 'postgres') return Promise.resolve(null);
    if (sm3Db && (Date.now() - sm3Db.at < 600_000)) return sm3Db.schema;
    const schema = (async () => {
      const ext = (await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'`.execute(db.kysely)).rows[0];
      if (!ext) return null;
      const r = await sql<{ h: Buffer }>`select ${sql.id(ext.schema)}.digest(${SM3_PROBE}::bytea, 'sm3') as h`.execute(db.kysely);
      return Buffer.from(r.rows[0].h).equals(createHash('sm3').update(SM3_PROBE).digest()) ? ext.schema : null;
    })().catch(() => null);
    sm3Db = { at: Date.now(), schema };
    void schema.then((v) => { if (v && sm3Db) sm3Db.at = Infinity; });
    return schema;
  }
  const state = new Map<string, { timer: NodeJS.Timeout | null; running: Promise<void> | null; again: boolean }>();
  let stopped = false;
  const sweeper = setInterval(() => { void sweep(); }, SWEEP_MS);
  sweeper.unref();

  /** Insert events for one actor in this transaction; they join the hash chain right after commit. */
  async function record(tx: Tx, actor: Actor, inputs: AuditInput[]): Promise<void> {
    if (inputs.length === 0) return;
    // One statement with a column array per field (not a VALUES row per event): a bulk erase or retention run
    // appends thousands of events at a time.
    const col = <T,>(f: (i: AuditInput) => T) => inputs.map(f);
    await sql`${sql.raw(prepared('audit_insert'))}insert into audit_events (tenant_id, id, at, actor_type, actor_id, client_ip, request_id, chain_v, action, decision, purpose, subject_id, collection, record_id, fields, reason, details)
      select ${actor.tenantId}::text, u.id, ${new Date()}::timestamptz, ${actor.type}::text, ${actor.id}::text, ${actor.clientIp ?? null}::text, ${actor.requestId ?? null}::text, 2,
        u.action, u.decision, u.purpose, u.subject_id, u.collection, u.record_id, u.fields::jsonb, u.reason, u.details::jsonb
      from unnest(${col(() => newId('evt'))}::text[], ${col((i) => i.action)}::text[], ${col((i) => i.decision)}::text[], ${col((i) => i.purpose ?? null)}::text[],
        ${col((i) => i.subjectId ?? null)}::text[], ${col((i) => i.collection ?? null)}::text[], ${col((i) => i.recordId ?? null)}::text[],
        ${col((i) => (i.fields ? JSON.stringify(i.fields) : null))}::text[], ${col((i) => i.reason ?? null)}::text[], ${col((i) => (i.details ? JSON.stringify(i.details) : null))}::text[])
        as u(id, action, decision, purpose, subject_id, collection, record_id, fields, reason, details)`.execute(tx);
    schedule(actor.tenantId);
  }

  /**
   * An INSERT of this actor's events whose own columns come from `source`, a SELECT of (action, decision,
   * purpose, subject_id, collection, record_id, fields jsonb, reason, details jsonb): to embed in the one
   * statement that also reads the data. Call `appended(tenantId)` once that statement has run.
   */
  function insertFrom(actor: Actor, source: RawBuilder<unknown>) {
    return sql`insert into audit_events (tenant_id, id, at, actor_type, actor_id, client_ip, request_id, chain_v, action, decision, purpose, subject_id, collection, record_id, fields, reason, details)
      select ${actor.tenantId}::text, ${sql.raw(EVT_ID_SQL)}, ${new Date()}::timestamptz, ${actor.type}::text, ${actor.id}::text, ${actor.clientIp ?? null}::text, ${actor.requestId ?? null}::text, 2, src.* from (${source}) as src`;
  }

  function schedule(tenantId: string) {
    if (stopped) return;
    let s = state.get(tenantId);
    if (!s) { s = { timer: null, running: null, again: false }; state.set(tenantId, s); }
    if (s.running) { s.again = true; return; }
    if (s.timer) return;
    const st = s;
    st.timer = setTimeout(() => { st.timer = null; st.running = runChainer(tenantId).finally(() => { st.running = null; if (st.again) { st.again = false; schedule(tenantId); } }); }, CHAIN_DELAY_MS);
    st.timer.unref();
  }

  async function runChainer(tenantId: string) {
    try {
      if (!stopped) await chainCommitted(tenantId);
    } catch (e) {
      if (!stopped) deps.onChainError?.(e);
    }
  }

  async function sweep() {
    if (stopped) return;
    try {
      const rows = await sql<{ tenant_id: string }>`select distinct tenant_id from audit_events where seq is null`.execute(db.kysely);
      for (const r of rows.rows) schedule(r.tenant_id);
    } catch (e) { if (!stopped) deps.onChainError?.(e); }
  }

  /**
   * Give pending (committed, or this transaction's own) events their place in the chain: up to one chunk
   * per call, under the head row's lock, which orders chainers across processes. Returns how many.
   */
  async function chainPending(tx: Tx, tenantId: string): Promise<number> {
    const any = await sql`select 1 from audit_events where tenant_id = ${tenantId} and seq is null limit 1`.execute(tx);
    if (any.rows.length === 0) return 0;
    await sql`insert into audit_heads (tenant_id, seq, hash) values (${tenantId}, 0, ${GENESIS}) on conflict do nothing`.execute(tx);
    const head = (await sql<{ seq: string | number; hash: Buffer }>`select seq, hash from audit_heads where tenant_id = ${tenantId} for update`.execute(tx)).rows[0];
    const base = Number(head.seq);
    // One pass renders each pending event's body with the number it is about to get; the hashes are computed
    // here; one UPDATE then stores number and hashes together (one new row version per event, not two).
    const rows = (await sql<{ id: string; seq: string | number; body: string }>`
      select e.id, e.next_seq as seq, ${eventBodySql(sql`e.next_seq`)} as body from (
        select a.*, ${base}::bigint + row_number() over (order by a.at, a.id) as next_seq from audit_events a
        where a.tenant_id = ${tenantId} and a.seq is null order by a.at, a.id limit ${CHAIN_CHUNK}
      ) e order by e.next_seq`.execute(tx)).rows;
    if (rows.length === 0) return 0;
    const hashName = await deps.hashName(tx, tenantId);
    let prev: Buffer = Buffer.from(head.hash);
    const ids: string[] = [], seqs: number[] = [], prevs: Buffer[] = [], hashes: Buffer[] = [];
    for (const r of rows) {
      const h = bodyHash(hashName, prev, r.body);
      ids.push(r.id); seqs.push(Number(r.seq)); prevs.push(prev); hashes.push(h);
      prev = h;
    }
    const p = byteaColumn(prevs), h = byteaColumn(hashes);
    await sql`with u as (
        update audit_events e set seq = u.s, chain_v = 2, prev_hash = ${p.cut('u.po', 'u.pl')}, hash = ${h.cut('u.ho', 'u.hl')}
        from unnest(${ids}::text[], ${seqs}::bigint[], ${p.offsets}, ${p.lengths}, ${h.offsets}, ${h.lengths}) as u(id, s, po, pl, ho, hl)
        where e.tenant_id = ${tenantId} and e.id = u.id
      )
      update audit_heads set seq = ${base + rows.length}, hash = ${prev} where tenant_id = ${tenantId}`.execute(tx);
    return rows.length;
  }

  async function chainAll(tx: Tx, tenantId: string) {
    while ((await chainPending(tx, tenantId)) >= CHAIN_CHUNK) { /* more to chain */ }
  }

  /** Chain every committed pending event of the tenant now, a chunk per transaction (before a backup or a scan). */
  async function chainCommitted(tenantId: string) {
    while ((await db.transaction((tx) => chainPending(tx, tenantId))) >= CHAIN_CHUNK) { /* more to chain */ }
  }

  /** Sign the current head of the chain (pending events are chained first). */
  async function checkpoint(tx: Tx, tenantId: string): Promise<{ seq: number } | null> {
    await chainAll(tx, tenantId);
    const head = await tx.selectFrom('audit_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!head || Number(head.seq) === 0) return null;
    const key = await deps.signingKey(tx, tenantId);
    const seq = Number(head.seq);
    const signature = signData(key.algorithm, key.privateKeyPem, checkpointMessage(tenantId, seq, head.hash));
    await sql`insert into audit_checkpoints (tenant_id, seq, hash, signature, key_id) values (${tenantId}, ${seq}, ${head.hash}, ${signature}, ${key.id}) on conflict do nothing`.execute(tx);
    return { seq };
  }

  /**
   * The first break found by PostgreSQL itself (SHA-256 chains; SM3 through pgcrypto), in one pass over events `lo`..`hi`: order
   * (a missing event), links, and the recomputed hash of every format-2 event. The pass starts one event early so
   * the link into `lo` is checked too; with `lo` > 1 a missing event `lo - 1` shows as `lo` not following `lo - 2`.
   */
  async function firstBreakInDatabase(q: Tx, tenantId: string, hashName: 'sha256' | 'sm3', lo = 1, hi?: number): Promise<Broken | null> {
    const content = sql`e.prev_hash || convert_to(${EVENT_BODY_SQL}, 'UTF8')`;
    const pgcrypto = hashName === 'sm3' ? await sm3Schema() : null;
    if (hashName === 'sm3' && !pgcrypto) throw new Error('SM3 is not available in this database');
    const r = (await sql<{ seq: string; lseq: string | null; unlinked: boolean; modified: boolean }>`
      select x.seq, x.lseq, x.unlinked, x.modified from (
        select e.seq, lag(e.seq) over w as lseq,
          e.prev_hash is distinct from coalesce(lag(e.hash) over w, ${GENESIS}) as unlinked,
          e.chain_v = 2 and ${pgcrypto ? sql`${sql.id(pgcrypto)}.digest(${content}, 'sm3')` : sql`sha256(${content})`} is distinct from e.hash as modified
        from audit_events e where e.tenant_id = ${tenantId} and e.seq is not null
          and e.seq >= ${Math.max(1, lo - 1)}::bigint ${hi === undefined ? sql`` : sql`and e.seq <= ${hi}::bigint`}
        window w as (order by e.seq)
      ) x
      where x.seq >= ${lo}::bigint and (x.seq <> coalesce(x.lseq, ${Math.max(0, lo - 2)}::bigint) + 1 or x.unlinked or x.modified)
      order by x.seq limit 1`.execute(q)).rows[0];
    if (!r) return null;
    const seq = Number(r.seq), expected = Number(r.lseq ?? Math.max(0, lo - 2)) + 1;
    if (seq !== expected) return { seq: expected, problem: `event ${expected} is missing` };
    if (r.unlinked) return { seq, problem: `event ${seq} does not link to the event before it` };
    return { seq, problem: `event ${seq} was modified` };
  }

  /**
   * On PostgreSQL a long chain is checked in ranges at once, each on its own connection (rehashing is CPU work for
   * the database, one core per backend); the last range, which holds the events this transaction chained itself,
   * runs in the caller's transaction. The first break of the first range that has one is the chain's first break.
   */
  async function firstBreakInRanges(tx: Tx, tenantId: string, hashName: 'sha256' | 'sm3', count: number): Promise<Broken | null> {
    const parts = db.kind === 'postgres' ? Math.min(ranges.parallel, Math.floor(count / ranges.minEvents)) : 1;
    if (parts < 2 || rangedVerifyRunning) return firstBreakInDatabase(tx, tenantId, hashName, 1, count);
    rangedVerifyRunning = true;
    try {
      // The head as other connections see it, read on one of them: events this transaction chained (a checkpoint or the
      // verify itself) are not committed, and only the caller's transaction can check them.
      const committedHead = Number((await sql<{ seq: number }>`select seq from audit_heads where tenant_id = ${tenantId}`.execute(db.kysely)).rows[0]?.seq ?? 0);
      const size = Math.ceil(count / parts);
      const lastLo = Math.max(1, Math.min(size * (parts - 1) + 1, committedHead + 1));
      const bounds: Array<[number, number]> = [];
      for (let lo = 1; lo < lastLo; lo += size) bounds.push([lo, Math.min(lo + size - 1, lastLo - 1)]);
      const results = await Promise.all([
        ...bounds.map(([lo, hi]) => firstBreakInDatabase(autocommit(db), tenantId, hashName, lo, hi)),
        firstBreakInDatabase(tx, tenantId, hashName, lastLo, count),
      ]);
      return results.find((b) => b !== null) ?? null;
    } finally {
      rangedVerifyRunning = false;
    }
  }

  /** Walk the chain in this process: links, order and content of every event (SM3 chains, format 1 events). */
  async function firstBreakInProcess(tx: Tx, tenantId: string, hashName: 'sha256' | 'sm3', onlyV1: boolean): Promise<Broken | null> {
    let expected = 1;
    let prev: Buffer = GENESIS;
    for (;;) {
      let q = tx.selectFrom('audit_events as e').selectAll().select(EVENT_BODY_SQL.as('body')).where('e.tenant_id', '=', tenantId).where('e.seq', 'is not', null);
      q = onlyV1 ? q.where('e.chain_v', '=', 1).where('e.seq', '>=', expected) : q.where('e.seq', '>=', expected);
      const rows = await q.orderBy('e.seq').limit(20_000).execute();
      if (rows.length === 0) return null;
      for (const r of rows) {
        const seq = Number(r.seq);
        const prevHash = r.prev_hash ?? Buffer.alloc(0);
        if (!onlyV1) {
          if (seq !== expected) return { seq: expected, problem: `event ${expected} is missing` };
          if (!prevHash.equals(prev)) return { seq, problem: `event ${seq} does not link to the event before it` };
        }
        const h = r.chain_v === 1
          ? eventHashV1(hashName, prevHash, { ...r, seq, fields: r.fields as string[] | null, details: r.details as Record<string, unknown> | null })
          : bodyHash(hashName, prevHash, r.body);
        if (!r.hash || !h.equals(r.hash)) return { seq, problem: `event ${seq} was modified` };
        prev = h;
        expected = seq + 1;
      }
    }
  }

  /** Recompute the chain: report the first event missing, out of place, unlinked or modified, then the head and checkpoints. */
  async function verify(tx: Tx, tenantId: string): Promise<VerifyResult> {
    await chainAll(tx, tenantId);
    const hashName = await deps.hashName(tx, tenantId);
    const checkpoints = await tx.selectFrom('audit_checkpoints as c').innerJoin('signing_keys as k', (j) => j.onRef('k.tenant_id', '=', 'c.tenant_id').onRef('k.id', '=', 'c.key_id'))
      .leftJoin('audit_events as e', (j) => j.onRef('e.tenant_id', '=', 'c.tenant_id').onRef('e.seq', '=', 'c.seq'))
      .select(['c.seq', 'c.hash', 'c.signature', 'k.algorithm', 'k.public_key', 'e.hash as event_hash']).where('c.tenant_id', '=', tenantId).execute();
    // With no break the chain is 1..n, so the last event's seq is the count. Head and last event come from one
    // statement (one snapshot): chainers of other requests may go on appending while this verify runs.
    const ends = (await sql<{ head_seq: number | null; head_hash: Buffer | null; last_seq: number | null; last_hash: Buffer | null }>`
      select h.seq as head_seq, h.hash as head_hash, l.seq as last_seq, l.hash as last_hash from (select 1) one
      left join audit_heads h on h.tenant_id = ${tenantId}
      left join lateral (select seq, hash from audit_events where tenant_id = ${tenantId} and seq is not null order by seq desc limit 1) l on true`.execute(tx)).rows[0];
    const count = Number(ends.last_seq ?? 0);
    let broken: Broken | null;
    if (hashName === 'sha256' || (await sm3Schema())) {
      const inDb = await firstBreakInRanges(tx, tenantId, hashName, count);
      // Format-1 events (before ADR 0005) are rehashed here; the partial index finds them without a scan.
      const hasV1 = await tx.selectFrom('audit_events').select('seq').where('tenant_id', '=', tenantId).where('chain_v', '=', 1).where('seq', 'is not', null).limit(1).executeTakeFirst();
      const v1 = hasV1 ? await firstBreakInProcess(tx, tenantId, hashName, true) : null;
      broken = !inDb ? v1 : !v1 ? inDb : (inDb.seq <= v1.seq ? inDb : v1);
    } else {
      broken = await firstBreakInProcess(tx, tenantId, hashName, false);
    }
    const fail = (b: Broken, events: number): VerifyResult => ({ ok: false, events, checkpoints: checkpoints.length, brokenAt: b.seq, problem: b.problem });
    if (broken) return fail(broken, Math.max(0, broken.seq - 1));
    const last = ends.last_hash ?? GENESIS;
    if (ends.head_seq !== null && (Number(ends.head_seq) !== count || !ends.head_hash?.equals(last))) {
      return fail({ seq: count + 1, problem: `the chain ends at event ${count} but its head says ${ends.head_seq}: events were removed from the end` }, count);
    }
    for (const c of checkpoints) {
      const seq = Number(c.seq);
      if (!c.event_hash || !c.event_hash.equals(c.hash)) return fail({ seq, problem: `signed checkpoint at event ${seq} does not match the chain` }, count);
      if (!verifyData(c.algorithm, c.public_key, checkpointMessage(tenantId, seq, c.hash), c.signature)) {
        return fail({ seq, problem: `checkpoint signature at event ${seq} is invalid` }, count);
      }
    }
    return { ok: true, events: count, checkpoints: checkpoints.length };
  }

  /** Chained events matching the filter, in chain order (pending events are chained first). */
  async function query(tx: Tx, q: AuditQuery) {
    await chainAll(tx, q.tenantId);
    let s = tx.selectFrom('audit_events').select(['seq', 'id', 'at', 'actor_type', 'actor_id', 'action', 'decision', 'purpose', 'subject_id', 'collection', 'record_id', 'fields', 'reason', 'client_ip', 'request_id', 'details'])
      .where('tenant_id', '=', q.tenantId).where('seq', 'is not', null);
    if (q.subjectId) s = s.where('subject_id', '=', q.subjectId);
    if (q.actorId) s = s.where('actor_id', '=', q.actorId);
    if (q.purpose) s = s.where('purpose', '=', q.purpose);
    if (q.action) s = s.where('action', '=', q.action);
    if (q.from) s = s.where('at', '>=', q.from);
    if (q.to) s = s.where('at', '<', q.to);
    if (q.decision) s = s.where('decision', '=', q.decision);
    if (q.afterSeq) s = s.where('seq', '>', q.afterSeq);
    if (q.beforeSeq) s = s.where('seq', '<', q.beforeSeq);
    const rows = await s.orderBy('seq', q.order ?? 'asc').limit(Math.min(q.limit ?? 100, 1000)).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** Stop the chainer (on shutdown); events still pending are chained by the next start. */
  async function stop() {
    stopped = true;
    clearInterval(sweeper);
    for (const s of state.values()) { if (s.timer) clearTimeout(s.timer); await s.running; }
  }

  /** Whether `audit verify` rehashes SM3 chains in the database (PostgreSQL with pgcrypto whose digest() knows SM3). */
  async function sm3InDatabase(): Promise<boolean> { return (await sm3Schema()) !== null; }

  return { record, insertFrom, appended: schedule, chainPending, chainCommitted, checkpoint, verify, query, stop, sm3InDatabase };
}

function checkpointMessage(tenantId: string, seq: number, hash: Buffer): Buffer {
  return Buffer.from(`custodian-audit-checkpoint/v1|${tenantId}|${seq}|${hash.toString('hex')}`);
}

export type AuditService = ReturnType<typeof createAuditService>;
