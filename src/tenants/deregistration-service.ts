/**
 * Enterprise deregistration (企业注销, design decision 4): request -> approval by a second person, which
 * freezes all processing of the tenant's PI -> notice to customers recorded -> execution: the archive the
 * law requires the handler to keep is exported (sealed under the handler's passphrase), every KEK version
 * and the blind-index key are destroyed, with the tenant's backup keys (ADR 0013: what every backup sealed its key
 * material under) and Paillier private keys (crypto-shredding of everything in one transaction), the tenant
 * enters the erasure ledger, records and index entries are deleted, the result is verified on the live
 * store and on backups restored into scratch stores, and a destruction certificate signed by the
 * installation key is issued. Active legal holds stop execution.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/connection.js';
import { AppError, conflict, forbidden, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { RootKeyProvider } from '../crypto/keyfile.js';
import { createKeyService, type KeyService } from '../crypto/keys-service.js';
import type { TenantBackupKeyStore } from '../crypto/backup-keys.js';
import { kekAad } from '../crypto/keyring.js';
import type { SuiteId } from '../crypto/suites.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { BackupService } from '../backup/index.js';
import { fieldAad, unpackFields, type FieldDef } from '../vault/index.js';
import { ArchiveWriter } from './archive-file.js';
import { signCertificate, type SignedCertificate } from './certificate.js';
import { canTake, DESTRUCTION_METHOD, separationRefusal, type DeregistrationState, type DeregistrationStep } from './deregistration-rules.js';
import type { InstallationKeys } from './installation-keys.js';

export interface ArchiveSpec { collection: string; fields?: string[]; legal_basis: string; keep_years?: number }
export interface RequestDeregistrationInput { reason: string; archive?: ArchiveSpec[]; witness?: { name: string; organisation?: string; role?: string } }
export interface NoticeInput { channel: 'announcement' | 'email' | 'sms' | 'letter' | 'app' | 'other'; published_at: string; summary: string; url?: string; recipients?: number }
export interface ExecuteInput { confirm_tenant_name: string; archive_passphrase?: string; backups?: Array<{ file: string; passphrase?: string }> }

export interface DeregistrationDeps {
  db: Db;
  root: RootKeyProvider;
  keys: Pick<KeyService, 'forgetTenant'>;
  backupKeys: Pick<TenantBackupKeyStore, 'destroy' | 'counts' | 'location'>;
  audit: Pick<AuditService, 'record' | 'checkpoint'>;
  access: Pick<AccessService, 'requirePermission' | 'forgetTenantState'>;
  backup: Pick<BackupService, 'inScratchRestore' | 'rootKeyAlone'>;
  installation: InstallationKeys;
  archiveDir: string;
  clock: Clock;
}

/** What is left of a tenant in a store, and whether any sampled ciphertext still opens. */
export interface ShredCheck {
  kek_versions_remaining: number; index_key_present: boolean; subject_keys_remaining: number; records_remaining: number; blind_index_remaining: number;
  /** Versions of the tenant's backup key still in the key store that every restore uses (the live one). */
  backup_keys_remaining: number; paillier_keys_remaining: number;
  keyring: 'destroyed' | 'available'; samples_tried: number; samples_decrypted: number; ok: boolean;
}

interface Sample { recordId: string; subjectId: string; collectionId: string; field: string; sealed: Buffer; wrapped: Buffer; kekVersion: number }
type Archived = { file: string; sha256: string; bytes: number; records: number; collections: Record<string, number> } | null;
/** What execute records in the transaction that destroys the keys. */
interface Progress {
  phase: 'keys_destroyed'; ledger_seq: number; archive: Archived; counts: Record<string, number>; hashes: { subject_ids_sha256: string; kek_wrapped_sha256: Array<{ version: number; sha256: string }>; index_key_wrapped_sha256: string | null };
  before: { samples_tried: number; samples_decrypted: number }; samples: Array<Omit<Sample, 'sealed' | 'wrapped'> & { sealed: string; wrapped: string }>;
}

const BATCH = 5000;
const SAMPLES = 64;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export function createDeregistrationService(deps: DeregistrationDeps) {
  const { db, audit, access, clock } = deps;

  function sameTenant(actor: Actor, tenantId: string) {
    if (actor.tenantId !== tenantId) throw notFound('tenant.not_found', '租户不存在', 'tenant not found');
  }

  async function current(tx: Tx, tenantId: string, lock = false) {
    let q = tx.selectFrom('tenant_deregistrations').selectAll().where('tenant_id', '=', tenantId).orderBy('requested_at', 'desc').limit(1);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async function open(tx: Tx, tenantId: string, step: DeregistrationStep) {
    const d = await current(tx, tenantId, true);
    if (!d) throw notFound('deregistration.not_found', '没有注销申请', 'no deregistration request');
    if (!canTake(step, d.state)) throw conflict('deregistration.wrong_state', `当前状态 ${d.state} 不能执行该操作`, `cannot ${step} a deregistration in state ${d.state}`, [{ state: d.state }]);
    return d;
  }

  async function staffName(tx: Tx, tenantId: string, id: string | null) {
    if (!id) return null;
    const s = await tx.selectFrom('staff').select(['username', 'display_name']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return { id, name: s ? `${s.display_name} (${s.username})` : id };
  }

  async function activeHolds(tx: Tx, tenantId: string) {
    return tx.selectFrom('legal_holds').select(['id', 'subject_id', 'collection', 'reason']).where('tenant_id', '=', tenantId).where('released_at', 'is', null).execute();
  }

  function present(d: NonNullable<Awaited<ReturnType<typeof current>>>, holds: Array<{ id: string }>) {
    const iso = (x: Date | string | null) => (x ? new Date(x).toISOString() : null);
    return {
      id: d.id, state: d.state, reason: d.reason, requested_by: d.requested_by, requested_at: iso(d.requested_at), witness: d.supervisor, archive: d.archive,
      approved_by: d.approved_by, approved_at: iso(d.approved_at), approval_note: d.approval_note, notice: d.notice, noticed_at: iso(d.noticed_at),
      executed_by: d.executed_by, started_at: iso(d.started_at), destroyed_at: iso(d.destroyed_at), cancelled_at: iso(d.cancelled_at),
      result: d.result, certificate_id: d.certificate_id, active_legal_holds: holds.map((h) => h.id),
    };
  }

  /** Whatever key material `store` holds for the tenant: does any of it open the sampled ciphertexts? */
  async function shredCheck(store: Db, tenantId: string, suite: SuiteId, samples: Sample[]): Promise<ShredCheck> {
    return store.transaction(async (tx) => {
      const n = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(tx)).rows[0]?.n ?? 0);
      const kek = await n(sql`select count(*)::int as n from tenant_keys where tenant_id = ${tenantId} and wrapped is not null`);
      const t = await tx.selectFrom('tenants').select(['index_key_wrapped']).where('id', '=', tenantId).executeTakeFirst();
      const subjectKeys = await n(sql`select count(*)::int as n from subjects where tenant_id = ${tenantId} and wrapped_key is not null`);
      const records = await n(sql`select count(*)::int as n from records where tenant_id = ${tenantId}`);
      const index = await n(sql`select count(*)::int as n from blind_index where tenant_id = ${tenantId}`);
      const paillier = await n(sql`select count(*)::int as n from paillier_keys where tenant_id = ${tenantId}`);
      // The key store every restore uses is the live one (never in a backup); read inside this transaction when it is the live store.
      const backupKeys = (await deps.backupKeys.counts(store === db ? tx : db.kysely, tenantId)).live;
      let keyring: ShredCheck['keyring'] = 'destroyed';
      let decrypted = 0;
      // A fresh key service, so nothing cached in this process helps; only what the store holds counts.
      const probe = createKeyService(deps.root);
      try {
        const ring = await probe.keyring(tx, tenantId);
        keyring = 'available';
        for (const s of samples) {
          try {
            const key = ring.subjectKey(s.subjectId, s.wrapped, s.kekVersion);
            ring.suite.open(key, s.sealed, fieldAad(tenantId, s.collectionId, s.recordId, s.subjectId, s.field));
            decrypted += 1;
          } catch { /* does not open */ }
        }
      } catch { /* keys destroyed */ }
      // Any KEK row that still unwraps counts as available, whatever the keyring said.
      const rows = await tx.selectFrom('tenant_keys').select(['version', 'wrapped']).where('tenant_id', '=', tenantId).where('wrapped', 'is not', null).execute();
      for (const r of rows) {
        try { await deps.root.unwrap(r.wrapped as Buffer, kekAad(tenantId, r.version), suite); keyring = 'available'; } catch { /* does not unwrap */ }
      }
      const ok = kek === 0 && !t?.index_key_wrapped && subjectKeys === 0 && records === 0 && index === 0 && paillier === 0 && backupKeys === 0 && keyring === 'destroyed' && decrypted === 0;
      return { kek_versions_remaining: kek, index_key_present: Boolean(t?.index_key_wrapped), subject_keys_remaining: subjectKeys, records_remaining: records, blind_index_remaining: index, backup_keys_remaining: backupKeys, paillier_keys_remaining: paillier, keyring, samples_tried: samples.length, samples_decrypted: decrypted, ok };
    });
  }

  /** Decrypt the configured collections into the sealed archive file. */
  async function writeArchive(tenantId: string, deregistrationId: string, specs: ArchiveSpec[], passphrase: string) {
    mkdirSync(deps.archiveDir, { recursive: true, mode: 0o700 });
    const file = join(deps.archiveDir, `${tenantId}-${deregistrationId}.archive`);
    rmSync(file, { force: true });
    const w = new ArchiveWriter(file, { tenant_id: tenantId, deregistration_id: deregistrationId }, passphrase);
    const ring = await db.transaction((tx) => createKeyService(deps.root).keyring(tx, tenantId));
    const perCollection: Record<string, number> = {};
    try {
      for (const spec of specs) {
        const c = await db.kysely.selectFrom('collections').select(['id', 'name', 'fields']).where('tenant_id', '=', tenantId).where('name', '=', spec.collection).executeTakeFirstOrThrow();
        const defs = (c.fields as FieldDef[]).filter((f) => !spec.fields || spec.fields.includes(f.name));
        w.line({ t: 'collection', name: c.name, legal_basis: spec.legal_basis, keep_years: spec.keep_years ?? null, fields: defs.map((f) => ({ name: f.name, type: f.type, category: f.category, sensitive: f.sensitive })) });
        let after = '';
        perCollection[c.name] = 0;
        for (;;) {
          const rows = await db.kysely.selectFrom('records as r').innerJoin('subjects as s', (j) => j.onRef('s.tenant_id', '=', 'r.tenant_id').onRef('s.id', '=', 'r.subject_id'))
            .select(['r.id', 'r.subject_id', 'r.sealed', 'r.created_at', 's.wrapped_key', 's.kek_version'])
            .where('r.tenant_id', '=', tenantId).where('r.collection_id', '=', c.id).where('r.id', '>', after).where('s.wrapped_key', 'is not', null)
            .orderBy('r.id').limit(BATCH).execute();
          if (!rows.length) break;
          for (const r of rows) {
            const key = ring.subjectKey(r.subject_id, r.wrapped_key as Buffer, r.kek_version as number);
            const sealed = unpackFields(r.sealed);
            const fields: Record<string, string> = {};
            for (const f of defs) {
              const b = sealed.get(f.name);
              if (b) fields[f.name] = ring.suite.open(key, b, fieldAad(tenantId, c.id, r.id, r.subject_id, f.name)).toString('utf8');
            }
            w.line({ t: 'record', collection: c.name, id: r.id, subject_id: r.subject_id, created_at: new Date(r.created_at).toISOString(), fields });
          }
          perCollection[c.name] += rows.length;
          after = rows[rows.length - 1].id;
        }
      }
      const digest = w.finish();
      return { file, sha256: digest, bytes: w.bytes, records: Object.values(perCollection).reduce((a, b) => a + b, 0), collections: perCollection };
    } catch (e) {
      w.abort();
      rmSync(file, { force: true });
      throw e;
    }
  }

  /** Counts, hashes and sampled ciphertexts taken just before the keys go. */
  async function snapshot(tenantId: string) {
    return db.kysely.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
      const one = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(tx)).rows[0]?.n ?? 0);
      const counts = {
        subjects: await one(sql`select count(*)::int as n from subjects where tenant_id = ${tenantId} and wrapped_key is not null`),
        subjects_previously_erased: await one(sql`select count(*)::int as n from subjects where tenant_id = ${tenantId} and wrapped_key is null`),
        records: await one(sql`select count(*)::int as n from records where tenant_id = ${tenantId}`),
        blind_index_entries: await one(sql`select count(*)::int as n from blind_index where tenant_id = ${tenantId}`),
        collections: await one(sql`select count(*)::int as n from collections where tenant_id = ${tenantId}`),
        consents: await one(sql`select count(*)::int as n from consents where tenant_id = ${tenantId}`),
        kek_versions: await one(sql`select count(*)::int as n from tenant_keys where tenant_id = ${tenantId} and wrapped is not null`),
        backup_key_versions: await one(sql`select count(*)::int as n from tenant_backup_keys where tenant_id = ${tenantId} and wrapped is not null`),
        paillier_keys: await one(sql`select count(*)::int as n from paillier_keys where tenant_id = ${tenantId}`),
      };
      // SHA-256 over the sorted ids of the subjects whose keys are destroyed (ids are not PI values).
      const h = createHash('sha256');
      let after = '';
      for (;;) {
        const ids = await tx.selectFrom('subjects').select('id').where('tenant_id', '=', tenantId).where('wrapped_key', 'is not', null).where('id', '>', after).orderBy('id').limit(20_000).execute();
        if (!ids.length) break;
        for (const r of ids) h.update(r.id).update('\n');
        after = ids[ids.length - 1].id;
      }
      const keks = await tx.selectFrom('tenant_keys').select(['version', 'wrapped']).where('tenant_id', '=', tenantId).where('wrapped', 'is not', null).orderBy('version').execute();
      const t = await tx.selectFrom('tenants').select(['index_key_wrapped']).where('id', '=', tenantId).executeTakeFirstOrThrow();
      const rows = await sql<{ id: string; subject_id: string; collection_id: string; sealed: Buffer; wrapped_key: Buffer; kek_version: number }>`
        select r.id, r.subject_id, r.collection_id, r.sealed, s.wrapped_key, s.kek_version from records r
        join subjects s on s.tenant_id = r.tenant_id and s.id = r.subject_id
        where r.tenant_id = ${tenantId} and s.wrapped_key is not null order by random() limit ${SAMPLES}`.execute(tx);
      const samples: Sample[] = [];
      for (const r of rows.rows) {
        const first = unpackFields(r.sealed).entries().next().value as [string, Buffer] | undefined;
        if (first) samples.push({ recordId: r.id, subjectId: r.subject_id, collectionId: r.collection_id, field: first[0], sealed: first[1], wrapped: r.wrapped_key, kekVersion: r.kek_version });
      }
      return {
        counts, samples,
        hashes: {
          subject_ids_sha256: h.digest('hex'),
          kek_wrapped_sha256: keks.map((k) => ({ version: k.version, sha256: sha256(k.wrapped as Buffer) })),
          index_key_wrapped_sha256: t.index_key_wrapped ? sha256(t.index_key_wrapped) : null,
        },
      };
    });
  }

  return {
    /** The tenant's current (latest) deregistration, with active legal holds. */
    async get(actor: Actor, tenantId: string) {
      sameTenant(actor, tenantId);
      return db.transaction(async (tx) => {
        // Both the people who run it and the supervisor who approves it follow its progress.
        try { await access.requirePermission(tx, actor, 'deregistration.manage'); } catch (e) {
          try { await access.requirePermission(tx, actor, 'deregistration.approve'); } catch { throw e; }
        }
        const d = await current(tx, tenantId);
        if (!d) throw notFound('deregistration.not_found', '没有注销申请', 'no deregistration request');
        return present(d, await activeHolds(tx, tenantId));
      });
    },

    async request(actor: Actor, tenantId: string, input: RequestDeregistrationInput) {
      sameTenant(actor, tenantId);
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'deregistration.manage');
        const t = await tx.selectFrom('tenants').select(['state']).where('id', '=', tenantId).executeTakeFirst();
        if (!t) throw notFound('tenant.not_found', '租户不存在', 'tenant not found');
        if (t.state !== 'active') throw conflict('deregistration.tenant_not_active', '租户不处于正常状态', `the tenant is ${t.state}`);
        const openOne = await tx.selectFrom('tenant_deregistrations').select('id').where('tenant_id', '=', tenantId).where('state', 'in', ['requested', 'approved']).executeTakeFirst();
        if (openOne) throw conflict('deregistration.exists', '已有进行中的注销申请', 'a deregistration is already in progress', [{ id: openOne.id }]);
        const archive = input.archive ?? [];
        for (const [i, a] of archive.entries()) {
          const c = await tx.selectFrom('collections').select(['fields']).where('tenant_id', '=', tenantId).where('name', '=', a.collection).executeTakeFirst();
          if (!c) throw invalidField(`archive[${i}].collection`, '不存在', 'is not a collection of this tenant');
          const names = new Set((c.fields as FieldDef[]).map((f) => f.name));
          const unknown = (a.fields ?? []).filter((f) => !names.has(f));
          if (unknown.length) throw invalidField(`archive[${i}].fields`, `含未知字段：${unknown.join(', ')}`, `names unknown fields: ${unknown.join(', ')}`);
        }
        const id = newId('drg');
        await tx.insertInto('tenant_deregistrations').values({
          tenant_id: tenantId, id, state: 'requested', reason: input.reason, requested_by: actor.id, supervisor: input.witness ? JSON.stringify(input.witness) : null, archive: JSON.stringify(archive),
        }).execute();
        await audit.record(tx, actor, [{ action: 'tenant.deregistration_request', decision: 'allow', reason: input.reason.slice(0, 200), details: { deregistration_id: id, archive_collections: archive.map((a) => a.collection) } }]);
        return present((await current(tx, tenantId))!, await activeHolds(tx, tenantId));
      });
    },

    /** Second person approves; processing of the tenant's PI is frozen from now on. */
    async approve(actor: Actor, tenantId: string, input: { note?: string }) {
      sameTenant(actor, tenantId);
      const out = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'deregistration.approve');
        const d = await open(tx, tenantId, 'approve');
        const refusal = separationRefusal('approve', actor, { requestedBy: d.requested_by });
        if (refusal) throw forbidden('deregistration.two_person_rule', refusal.zh, refusal.en, [{ rule: 'two_person' }]);
        await tx.updateTable('tenant_deregistrations').set({ state: 'approved', approved_by: actor.id, approved_at: clock.now(), approval_note: input.note ?? null }).where('tenant_id', '=', tenantId).where('id', '=', d.id).execute();
        await tx.updateTable('tenants').set({ state: 'frozen' }).where('id', '=', tenantId).execute();
        // Frozen: queued jobs (retention sweeps, reports) would only be refused; the scheduler re-creates them on a thaw.
        await tx.deleteFrom('jobs').where('tenant_id', '=', tenantId).where('state', '=', 'queued').execute();
        await audit.record(tx, actor, [
          { action: 'tenant.deregistration_approve', decision: 'allow', details: { deregistration_id: d.id } },
          { action: 'tenant.freeze', decision: 'allow', details: { deregistration_id: d.id } },
        ]);
        return present((await current(tx, tenantId))!, await activeHolds(tx, tenantId));
      });
      access.forgetTenantState(tenantId);
      return out;
    },

    /** Record how customers were told that their data will be destroyed. */
    async recordNotice(actor: Actor, tenantId: string, input: NoticeInput) {
      sameTenant(actor, tenantId);
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'deregistration.manage');
        const d = await open(tx, tenantId, 'notice');
        await tx.updateTable('tenant_deregistrations').set({ notice: JSON.stringify(input), noticed_at: clock.now() }).where('tenant_id', '=', tenantId).where('id', '=', d.id).execute();
        await audit.record(tx, actor, [{ action: 'tenant.deregistration_notice', decision: 'allow', details: { deregistration_id: d.id, channel: input.channel, recipients: input.recipients ?? null } }]);
        return present((await current(tx, tenantId))!, await activeHolds(tx, tenantId));
      });
    },

    async cancel(actor: Actor, tenantId: string, input: { reason: string }) {
      sameTenant(actor, tenantId);
      const out = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'deregistration.manage');
        const d = await open(tx, tenantId, 'cancel');
        await tx.updateTable('tenant_deregistrations').set({ state: 'cancelled', cancelled_by: actor.id, cancelled_at: clock.now() }).where('tenant_id', '=', tenantId).where('id', '=', d.id).execute();
        await tx.updateTable('tenants').set({ state: 'active' }).where('id', '=', tenantId).where('state', '=', 'frozen').execute();
        await audit.record(tx, actor, [{ action: 'tenant.deregistration_cancel', decision: 'allow', reason: input.reason.slice(0, 200), details: { deregistration_id: d.id } }]);
        return present((await current(tx, tenantId))!, await activeHolds(tx, tenantId));
      });
      access.forgetTenantState(tenantId);
      return out;
    },

    /**
     * Destroy the tenant. Checks first (state, two-person rule, notice, confirmation, legal holds,
     * archive passphrase); then archive -> snapshot -> key destruction (one transaction) -> row deletion
     * in batches -> verification (live, and each named backup restored into a scratch store) ->
     * certificate signed by the installation key.
     */
    async execute(actor: Actor, tenantId: string, input: ExecuteInput): Promise<{ certificate: SignedCertificate; archive: { file: string; sha256: string; records: number } | null }> {
      sameTenant(actor, tenantId);
      if (input.backups?.length && actor.type !== 'cli') throw forbidden('deregistration.backups_local_only', '只有本机的 custodian 命令可以指定备份文件', 'Only the local custodian command may name backup files to verify');
      const started = clock.now();
      const pre = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'deregistration.manage');
        const d = await open(tx, tenantId, 'execute');
        const refusal = separationRefusal('execute', actor, { requestedBy: d.requested_by, approvedBy: d.approved_by });
        if (refusal) throw forbidden('deregistration.two_person_rule', refusal.zh, refusal.en, [{ rule: 'two_person' }]);
        const t = await tx.selectFrom('tenants').select(['name', 'suite', 'state']).where('id', '=', tenantId).executeTakeFirstOrThrow();
        if (input.confirm_tenant_name !== t.name) throw invalidField('confirm_tenant_name', '与租户名称不符', 'does not match the tenant name');
        if (!d.notice) throw conflict('deregistration.notice_missing', '尚未记录对客户的通知', 'record the notice to customers first (POST …/deregistration/notice)');
        const archive = d.archive as ArchiveSpec[];
        // An execution interrupted after the keys were destroyed resumes from what it recorded then.
        const progress = (d.result as { phase?: string } | null)?.phase === 'keys_destroyed' ? d.result as unknown as Progress : null;
        if (!progress) {
          const holds = await activeHolds(tx, tenantId);
          if (holds.length) throw conflict('deregistration.legal_hold', `存在 ${holds.length} 项未解除的法律保全，不能销毁`, `${holds.length} active legal hold(s) prevent destruction`, holds.map((h) => ({ hold_id: h.id })));
          if (archive.length && (!input.archive_passphrase || input.archive_passphrase.length < 12)) throw invalidField('archive_passphrase', '需要至少 12 个字符（用于加密留存归档）', 'of at least 12 characters is required to seal the archive');
          await tx.updateTable('tenant_deregistrations').set({ executed_by: actor.id, started_at: started }).where('tenant_id', '=', tenantId).where('id', '=', d.id).execute();
        }
        const released = Number((await sql<{ n: number }>`select count(*)::int as n from legal_holds where tenant_id = ${tenantId} and released_at is not null`.execute(tx)).rows[0].n);
        return { d, t, archive, released, progress, requester: await staffName(tx, tenantId, d.requested_by), approver: await staffName(tx, tenantId, d.approved_by), executor: await staffName(tx, tenantId, actor.id) };
      });
      const suite = pre.t.suite as SuiteId;
      const { archived, snap, before, ledgerSeq } = pre.progress ? resume(pre.progress) : await destroy();

      function resume(p: Progress) {
        return { archived: p.archive, before: p.before, ledgerSeq: p.ledger_seq, snap: { counts: p.counts, hashes: p.hashes, samples: p.samples.map((x) => ({ ...x, sealed: Buffer.from(x.sealed, 'base64'), wrapped: Buffer.from(x.wrapped, 'base64') })) } };
      }

      async function destroy() {
      const archived = pre.archive.length ? await writeArchive(tenantId, pre.d.id, pre.archive, input.archive_passphrase as string) : null;
      const snap = await snapshot(tenantId);
      // The same check before destruction must open the samples, or the check after it proves nothing.
      const before = await shredCheck(db, tenantId, suite, snap.samples);
      if (before.samples_decrypted !== snap.samples.length) throw new AppError(500, 'deregistration.precheck_failed', '销毁前的解密抽样失败，未做任何销毁', 'The decryption sample before destruction failed; nothing was destroyed');

      // Crypto-shredding: one transaction destroys every key of the tenant and writes the ledger.
      const ledgerSeq = await db.transaction(async (tx) => {
        await tx.updateTable('tenant_keys').set({ wrapped: null, retired_at: clock.now() }).where('tenant_id', '=', tenantId).execute();
        await tx.updateTable('tenants').set({ index_key_wrapped: null, state: 'destroyed' }).where('id', '=', tenantId).execute();
        // The backup keys go in the same transaction: from its commit no backup, old or in progress, can unseal the tenant's keys.
        await deps.backupKeys.destroy(tx, tenantId, `deregistration ${pre.d.id}`);
        // Paillier private keys would decrypt the ciphertexts handed to partners: customer values, so they go too.
        await tx.deleteFrom('paillier_keys').where('tenant_id', '=', tenantId).execute();
        const l = await sql<{ seq: number }>`insert into erasure_ledger (tenant_id, kind, target_id, reason) values (${tenantId}, 'tenant', ${tenantId}, ${`deregistration ${pre.d.id}`}) returning seq`.execute(tx);
        await tx.updateTable('api_keys').set({ revoked_at: clock.now() }).where('tenant_id', '=', tenantId).where('revoked_at', 'is', null).execute();
        await tx.updateTable('sessions').set({ revoked_at: clock.now() }).where('tenant_id', '=', tenantId).where('revoked_at', 'is', null).execute();
        await tx.deleteFrom('jobs').where('tenant_id', '=', tenantId).where('state', '=', 'queued').execute();
        await audit.record(tx, actor, [{ action: 'tenant.keys_destroy', decision: 'allow', details: { deregistration_id: pre.d.id, kek_versions: snap.counts.kek_versions, backup_key_versions: snap.counts.backup_key_versions, subjects: snap.counts.subjects } }]);
        const seq = Number(l.rows[0].seq);
        // Recorded with the destruction itself, so an interrupted execution can finish (the samples are ciphertexts whose keys are now gone).
        const progress: Progress = {
          phase: 'keys_destroyed', ledger_seq: seq, archive: archived, counts: snap.counts, hashes: snap.hashes, before: { samples_tried: before.samples_tried, samples_decrypted: before.samples_decrypted },
          samples: snap.samples.map((x) => ({ ...x, sealed: x.sealed.toString('base64'), wrapped: x.wrapped.toString('base64') })),
        };
        await tx.updateTable('tenant_deregistrations').set({ result: JSON.stringify(progress) }).where('tenant_id', '=', tenantId).where('id', '=', pre.d.id).execute();
        return seq;
      });
      deps.keys.forgetTenant(tenantId);
      access.forgetTenantState(tenantId);
      return { archived, snap, before: { samples_tried: before.samples_tried, samples_decrypted: before.samples_decrypted }, ledgerSeq };
      }

      // Then the now unreadable rows go, in batches of short transactions.
      for (;;) {
        const n = await db.transaction(async (tx) => {
          const ids = (await tx.selectFrom('records').select('id').where('tenant_id', '=', tenantId).limit(BATCH).execute()).map((r) => r.id);
          if (!ids.length) return 0;
          await sql`delete from blind_index where tenant_id = ${tenantId} and record_id = any(${ids}::text[])`.execute(tx);
          await sql`delete from records where tenant_id = ${tenantId} and id = any(${ids}::text[])`.execute(tx);
          return ids.length;
        });
        if (n === 0) break;
      }
      await db.transaction(async (tx) => {
        await sql`delete from blind_index where tenant_id = ${tenantId}`.execute(tx);
        await sql`update subjects set wrapped_key = null, kek_version = null, erased_at = coalesce(erased_at, now()) where tenant_id = ${tenantId} and wrapped_key is not null`.execute(tx);
      });

      const live = await shredCheck(db, tenantId, suite, snap.samples);
      const backups = [];
      for (const b of input.backups ?? []) {
        const digest = sha256(readFileSync(b.file));
        const check = await deps.backup.inScratchRestore({ from: b.file, passphrase: b.passphrase }, (scratch) => shredCheck(scratch, tenantId, suite, snap.samples));
        // And outside Custodian: the tenant's key material read straight from the file, tried with the root key alone.
        const alone = await deps.backup.rootKeyAlone({ from: b.file, passphrase: b.passphrase }, tenantId);
        backups.push({ file: basename(b.file), sha256: digest, ...check, root_key_alone: alone });
      }
      const verified = live.ok && backups.every((b) => b.ok);

      const completed = clock.now();
      const head = await db.transaction(async (tx) => {
        await audit.record(tx, actor, [{ action: 'tenant.destroy', decision: verified ? 'allow' : 'deny', reason: verified ? null : 'verification_failed', details: { deregistration_id: pre.d.id, records: snap.counts.records, subjects: snap.counts.subjects, backups_verified: backups.length } }]);
        return audit.checkpoint(tx, tenantId);
      });
      const headRow = await db.kysely.selectFrom('audit_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
      const result = { live, backups, verified };
      if (!verified) {
        // Keep the recorded progress (so the execution can be resumed once the cause is fixed) and add what failed.
        await sql`update tenant_deregistrations set result = coalesce(result, '{}'::jsonb) || ${JSON.stringify({ last_verification: result })}::jsonb where tenant_id = ${tenantId} and id = ${pre.d.id}`.execute(db.kysely);
        throw new AppError(500, 'deregistration.verification_failed', '密钥已销毁，但校验发现仍有可解密的数据：未签发销毁证明', 'Keys were destroyed but verification found data that still decrypts: no certificate was issued', [{ live: live.ok, backups: backups.map((b) => b.ok) }]);
      }

      const certificateId = newId('crt');
      const signer = await deps.installation.signer(suite);
      const certificate = signCertificate({
        certificate_id: certificateId,
        title: { zh: '个人信息销毁证明', en: 'Certificate of destruction of personal information' },
        issued_at: completed.toISOString(),
        tenant: { id: tenantId, name: pre.t.name, suite },
        deregistration: { id: pre.d.id, reason: pre.d.reason, requested_at: new Date(pre.d.requested_at).toISOString(), requested_by: pre.requester, approved_at: pre.d.approved_at ? new Date(pre.d.approved_at).toISOString() : null, approval_note: pre.d.approval_note },
        executor: { ...pre.executor, type: actor.type },
        supervisor: { approver: pre.approver, witness: pre.d.supervisor ?? null },
        method: DESTRUCTION_METHOD,
        started_at: (pre.progress && pre.d.started_at ? new Date(pre.d.started_at) : started).toISOString(),
        resumed: Boolean(pre.progress),
        completed_at: completed.toISOString(),
        counts: { ...snap.counts, archive_records: archived?.records ?? 0 },
        hashes: { ...snap.hashes, archive_sha256: archived?.sha256 ?? null, hash_algorithm: 'sha256' },
        archive: archived ? { file: basename(archived.file), sha256: archived.sha256, bytes: archived.bytes, records: archived.records, collections: archived.collections, specs: pre.archive } : null,
        notice: pre.d.notice,
        legal_holds: { active: 0, released: pre.released },
        erasure_ledger: { kind: 'tenant', seq: ledgerSeq },
        verification: { before: { samples_tried: before.samples_tried, samples_decrypted: before.samples_decrypted }, live, backups, ok: verified },
        audit: { head_seq: headRow ? Number(headRow.seq) : null, head_hash: headRow ? headRow.hash.toString('hex') : null, checkpoint_seq: head?.seq ?? null },
      }, { id: signer.id, algorithm: signer.algorithm, privateKeyPem: signer.privateKeyPem, publicKeyPem: signer.publicKeyPem });

      await db.kysely.updateTable('tenant_deregistrations').set({ state: 'destroyed', destroyed_at: completed, result: JSON.stringify(result), certificate: JSON.stringify(certificate), certificate_id: certificateId })
        .where('tenant_id', '=', tenantId).where('id', '=', pre.d.id).execute();
      return { certificate, archive: archived ? { file: archived.file, sha256: archived.sha256, records: archived.records } : null };
    },

    /** A certificate by its id (it holds no customer PI): for the public link and `custodian certificate verify`. */
    async certificate(certificateId: string): Promise<SignedCertificate> {
      const r = await db.kysely.selectFrom('tenant_deregistrations').select(['certificate']).where('certificate_id', '=', certificateId).executeTakeFirst();
      if (!r?.certificate) throw notFound('certificate.not_found', '销毁证明不存在', 'certificate not found');
      return r.certificate as unknown as SignedCertificate;
    },

    installationKeys: () => deps.installation.publicKeys(),
    /** For tests and the doctor: check a tenant's destruction on any store. */
    shredCheck,
  };
}
export type DeregistrationService = ReturnType<typeof createDeregistrationService>;
export type { DeregistrationState };
