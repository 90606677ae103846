/**
 * Third parties (受托人 processors and other handlers): screening, the recipient's public key, contracts
 * (purpose, term, method, PI types, protection duties, return/deletion at the end), registered sharing
 * channels, and deletion confirmation tracked after a contract ends. Every change is audited.
 */
import type { Db, Tx } from '../db/connection.js';
import { containsPattern, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { conflict, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import { normaliseValue } from '../core/pi-types.js';
import type { SuiteId } from '../crypto/suites.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore } from '../vault/index.js';
import { addCalendarDaysTo, chinaDate, requireAnyPermission, toDay } from '../risks/index.js';
import { recipientAlgorithm, RecipientKeyError } from './recipient-crypto.js';
import { contractFlag, SCREENING_QUESTIONS, suggestedScreening, type PiScope, type ScreeningResult, type ThirdPartyKind } from './sharing-rules.js';

export const THIRD_PARTY_SORT: SortSpec<'name' | 'kind' | 'country' | 'state' | 'review_due' | 'created_at'> = { columns: { name: 'name', kind: 'kind', country: 'country', state: 'state', review_due: 'review_due', created_at: 'created_at' }, sort: 'name', order: 'asc', tiebreak: ['id'] };

export interface Contact { name: string; role?: string; phone?: string; email?: string }
export interface ThirdPartyInput { name: string; kind: ThirdPartyKind; uscc?: string; country?: string; address?: string; contacts?: Contact[]; review_due?: string }
export type ThirdPartyPatch = Partial<ThirdPartyInput> & { state?: 'active' | 'suspended' | 'ended' };
export interface ScreeningInput { answers: Record<string, boolean>; result: ScreeningResult; note?: string }
export interface ContractInput {
  reference: string; purpose: string; processing_method: string; pi_types: PiScope[]; start_date: string; end_date: string; protection_duties: string;
  end_of_term: 'return' | 'delete' | 'return_and_delete'; sub_entrusting?: boolean; signed_at?: string;
}
export interface ChannelInput { name: string; third_party_id: string; contract_id: string; kind: 'export' | 'api'; purpose: string; collection: string; fields: string[]; separate_consent_purpose?: string }

export interface ThirdPartyDeps {
  db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>; collections: Pick<CollectionStore, 'get'>; clock: Clock;
  suiteOf: (tx: Tx, tenantId: string) => Promise<SuiteId>;
  /** Days the processor has to return or delete the PI after a contract ends (default 15). */
  deletionDays?: number;
}

const iso = (v: Date | null) => (v ? new Date(v).toISOString() : null);

async function partyRow(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('third_parties').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('third_party.not_found', '第三方不存在', 'third party not found');
  return r;
}
async function contractRow(tx: Tx, tenantId: string, partyId: string, id: string, lock = false) {
  let q = tx.selectFrom('third_party_contracts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).where('third_party_id', '=', partyId);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('third_party.contract_not_found', '合同不存在', 'contract not found');
  return r;
}
type PartyRow = Awaited<ReturnType<typeof partyRow>>;
type ContractRow = Awaited<ReturnType<typeof contractRow>>;

export function presentParty(r: PartyRow) {
  return {
    id: r.id, name: r.name, kind: r.kind, uscc: r.uscc, country: r.country, address: r.address, contacts: r.contacts, state: r.state,
    screening: r.screening_result ? { result: r.screening_result, answers: (r.screening as { answers?: unknown } | null)?.answers ?? {}, note: (r.screening as { note?: string } | null)?.note ?? null, screened_at: iso(r.screened_at), screened_by: r.screened_by } : null,
    public_key: r.public_key ? { algorithm: r.key_algorithm, fingerprint: r.key_fingerprint } : null, review_due: toDay(r.review_due), flag: r.flag, created_at: iso(r.created_at), updated_at: iso(r.updated_at),
  };
}
export function presentContract(c: ContractRow) {
  return {
    id: c.id, third_party_id: c.third_party_id, reference: c.reference, purpose: c.purpose, processing_method: c.processing_method, pi_types: c.pi_types as PiScope[],
    start_date: toDay(c.start_date), end_date: toDay(c.end_date), protection_duties: c.protection_duties, end_of_term: c.end_of_term, sub_entrusting: c.sub_entrusting, signed_at: toDay(c.signed_at),
    state: c.state, ended_at: iso(c.ended_at), end_reason: c.end_reason,
    deletion: c.deletion_requested_at ? { requested_at: iso(c.deletion_requested_at), due: toDay(c.deletion_due), confirmed_at: iso(c.deletion_confirmed_at), evidence: c.deletion_evidence } : null,
    flag: c.flag,
  };
}

export function createThirdPartyService(deps: ThirdPartyDeps) {
  const { db, audit, access, clock } = deps;
  const manage = (tx: Tx, actor: Actor) => access.requirePermission(tx, actor, 'third_parties.manage');
  const today = () => chinaDate(clock.now());

  function checkParty(input: Partial<ThirdPartyInput>) {
    if (input.uscc !== undefined) {
      const n = normaliseValue('uscc', input.uscc);
      if (!n.ok) throw invalidField('uscc', '不是有效的统一社会信用代码（GB 32100-2015 校验位）', 'is not a valid unified social credit code (GB 32100-2015 check character)');
      input.uscc = n.value;
    }
  }

  async function checkScope(tx: Tx, tenantId: string, scope: PiScope[], path: string) {
    for (const [i, p] of scope.entries()) {
      const c = await deps.collections.get(tx, tenantId, p.collection).catch(() => { throw invalidField(`${path}[${i}].collection`, '不是已定义的集合', 'is not a defined collection'); });
      const unknown = p.fields.filter((f) => f !== '*' && !c.fields.some((x) => x.name === f));
      if (unknown.length) throw invalidField(`${path}[${i}].fields`, `包含集合中没有的字段：${unknown.join(', ')}`, `names fields the collection does not have: ${unknown.join(', ')}`);
    }
  }

  async function endContract(tx: Tx, actor: Actor, c: ContractRow, reason: string, deletionDue?: string) {
    const now = clock.now();
    const due = deletionDue ?? addCalendarDaysTo(chinaDate(now), deps.deletionDays ?? 15);
    await tx.updateTable('third_party_contracts').set({ state: 'ended', ended_at: now, end_reason: reason, deletion_requested_at: now, deletion_due: due, flag: 'deletion_pending', updated_at: now })
      .where('tenant_id', '=', actor.tenantId).where('id', '=', c.id).execute();
    const ch = await tx.updateTable('share_channels').set({ state: 'disabled' }).where('tenant_id', '=', actor.tenantId).where('contract_id', '=', c.id).where('state', '=', 'active').executeTakeFirst();
    await audit.record(tx, actor, [{ action: 'contract.end', decision: 'allow', details: { third_party_id: c.third_party_id, contract_id: c.id, reason, deletion_due: due, channels_disabled: Number(ch.numUpdatedRows) } }]);
  }

  return {
    screeningQuestions: () => SCREENING_QUESTIONS,

    async create(actor: Actor, input: ThirdPartyInput) {
      checkParty(input);
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const dup = await tx.selectFrom('third_parties').select('id').where('tenant_id', '=', actor.tenantId).where('name', '=', input.name).executeTakeFirst();
        if (dup) throw conflict('third_party.exists', `第三方 ${input.name} 已登记`, `third party ${input.name} is already registered`, [{ field: 'name', reason: 'already exists' }]);
        const id = newId('tp');
        const now = clock.now();
        await tx.insertInto('third_parties').values({
          tenant_id: actor.tenantId, id, name: input.name, kind: input.kind, uscc: input.uscc ?? null, country: input.country ?? 'CN', address: input.address ?? null,
          contacts: JSON.stringify(input.contacts ?? []), review_due: input.review_due ?? addCalendarDaysTo(chinaDate(now), 365), created_at: now, updated_at: now,
        }).execute();
        await audit.record(tx, actor, [{ action: 'third_party.create', decision: 'allow', details: { third_party_id: id, kind: input.kind, country: input.country ?? 'CN' } }]);
        return presentParty(await partyRow(tx, actor.tenantId, id));
      });
    },

    async list(actor: Actor, q: { kind?: ThirdPartyKind; state?: string; flagged?: boolean; q?: string } & PageQuery<keyof typeof THIRD_PARTY_SORT.columns>) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['third_parties.manage', 'shares.create', 'transfers.manage']);
        let s = tx.selectFrom('third_parties').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.kind) s = s.where('kind', '=', q.kind);
        if (q.state) s = s.where('state', '=', q.state);
        if (q.flagged) s = s.where('flag', 'is not', null);
        if (q.q) s = s.where('name', 'ilike', containsPattern(q.q));
        const limit = Math.min(q.limit ?? 50, 200), offset = q.offset ?? 0;
        const total = Number((await s.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const rows = await orderBySpec(s, q, THIRD_PARTY_SORT).limit(limit).offset(offset).execute();
        return { third_parties: rows.map(presentParty), total, next_offset: offset + rows.length < total ? offset + rows.length : null };
      });
    },

    async get(actor: Actor, id: string) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['third_parties.manage', 'shares.create', 'transfers.manage']);
        const p = await partyRow(tx, actor.tenantId, id);
        const contracts = await tx.selectFrom('third_party_contracts').selectAll().where('tenant_id', '=', actor.tenantId).where('third_party_id', '=', id).orderBy('start_date', 'desc').execute();
        const channels = await tx.selectFrom('share_channels').selectAll().where('tenant_id', '=', actor.tenantId).where('third_party_id', '=', id).orderBy('name').execute();
        return { ...presentParty(p), contracts: contracts.map(presentContract), channels: channels.map(presentChannel) };
      });
    },

    async update(actor: Actor, id: string, patch: ThirdPartyPatch) {
      checkParty(patch);
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await partyRow(tx, actor.tenantId, id, true);
        const { contacts, ...rest } = patch;
        await tx.updateTable('third_parties').set({ ...rest, ...(contacts ? { contacts: JSON.stringify(contacts) } : {}), ...(patch.review_due ? { flag: null } : {}), updated_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        if (patch.state && patch.state !== 'active') await tx.updateTable('share_channels').set({ state: 'disabled' }).where('tenant_id', '=', actor.tenantId).where('third_party_id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'third_party.update', decision: 'allow', details: { third_party_id: id, changed: Object.keys(patch), state: patch.state } }]);
        return presentParty(await partyRow(tx, actor.tenantId, id));
      });
    },

    /** Record the screening; a `passed` that a must-have answer contradicts is refused. */
    async screen(actor: Actor, id: string, input: ScreeningInput) {
      const unknown = Object.keys(input.answers).filter((k) => !SCREENING_QUESTIONS.some((q) => q.id === k));
      if (unknown.length) throw invalidField(`answers.${unknown[0]}`, '不是筛查问卷中的问题', 'is not a screening question');
      const suggested = suggestedScreening(input.answers);
      if (input.result === 'passed' && suggested === 'failed') throw invalidField('result', '必备条件未满足，不能判定为通过', 'cannot be passed while a must-have is not met', { suggested });
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await partyRow(tx, actor.tenantId, id, true);
        const now = clock.now();
        await tx.updateTable('third_parties').set({ screening: JSON.stringify({ answers: input.answers, note: input.note ?? null, suggested }), screening_result: input.result, screened_at: now, screened_by: actor.id, updated_at: now })
          .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'third_party.screen', decision: 'allow', details: { third_party_id: id, result: input.result, suggested } }]);
        return { ...presentParty(await partyRow(tx, actor.tenantId, id)), suggested };
      });
    },

    /** Register the recipient's public key that shares are encrypted to (SM2 curve required under the `sm` suite). */
    async setKey(actor: Actor, id: string, publicKeyPem: string) {
      let k: ReturnType<typeof recipientAlgorithm>;
      try { k = recipientAlgorithm(publicKeyPem); } catch (e) {
        if (e instanceof RecipientKeyError) throw invalidField('public_key', `不可用：${e.message}`, `cannot be used: ${e.message}`);
        throw e;
      }
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        await partyRow(tx, actor.tenantId, id, true);
        if ((await deps.suiteOf(tx, actor.tenantId)) === 'sm' && !k.alg.includes('SM2')) throw invalidField('public_key', '本租户使用商用密码套件（sm），接收方公钥须为 SM2 曲线密钥', 'must be an SM2-curve key: this tenant uses the commercial-cryptography suite (sm)');
        await tx.updateTable('third_parties').set({ public_key: publicKeyPem.trim(), key_algorithm: k.alg, key_fingerprint: k.fingerprint, updated_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'third_party.key', decision: 'allow', details: { third_party_id: id, algorithm: k.alg, fingerprint: k.fingerprint } }]);
        return { third_party_id: id, algorithm: k.alg, fingerprint: k.fingerprint };
      });
    },

    async addContract(actor: Actor, partyId: string, input: ContractInput) {
      if (input.end_date < input.start_date) throw invalidField('end_date', '早于开始日期', 'is before start_date');
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const p = await partyRow(tx, actor.tenantId, partyId);
        await checkScope(tx, actor.tenantId, input.pi_types, 'pi_types');
        if (p.kind !== 'entrusted' && input.sub_entrusting) throw invalidField('sub_entrusting', '只适用于委托处理', 'applies to entrusted processing only');
        const id = newId('ctr');
        const now = clock.now();
        await tx.insertInto('third_party_contracts').values({
          tenant_id: actor.tenantId, id, third_party_id: partyId, reference: input.reference, purpose: input.purpose, processing_method: input.processing_method, pi_types: JSON.stringify(input.pi_types),
          start_date: input.start_date, end_date: input.end_date, protection_duties: input.protection_duties, end_of_term: input.end_of_term, sub_entrusting: input.sub_entrusting ?? false, signed_at: input.signed_at ?? null, created_at: now, updated_at: now,
        }).execute();
        await audit.record(tx, actor, [{ action: 'contract.create', decision: 'allow', details: { third_party_id: partyId, contract_id: id, start_date: input.start_date, end_date: input.end_date, pi_types: input.pi_types.map((s) => s.collection) } }]);
        return presentContract(await contractRow(tx, actor.tenantId, partyId, id));
      });
    },

    /** End a contract: its channels close and the processor is asked to return or delete the PI by a date. */
    async endContract(actor: Actor, partyId: string, contractId: string, input: { reason: string; deletion_due?: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const c = await contractRow(tx, actor.tenantId, partyId, contractId, true);
        if (c.state === 'ended') throw conflict('third_party.contract_ended', '合同已终止', 'the contract has already ended');
        await endContract(tx, actor, c, input.reason, input.deletion_due);
        return presentContract(await contractRow(tx, actor.tenantId, partyId, contractId));
      });
    },

    async confirmDeletion(actor: Actor, partyId: string, contractId: string, input: { evidence: string }) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const c = await contractRow(tx, actor.tenantId, partyId, contractId, true);
        if (c.state !== 'ended') throw conflict('third_party.contract_active', '合同仍有效：终止后才能确认删除', 'the contract is still in force: end it first');
        if (c.deletion_confirmed_at) throw conflict('third_party.deletion_confirmed', '已确认删除', 'deletion was already confirmed');
        const now = clock.now();
        await tx.updateTable('third_party_contracts').set({ deletion_confirmed_at: now, deletion_evidence: input.evidence, flag: null, updated_at: now }).where('tenant_id', '=', actor.tenantId).where('id', '=', contractId).execute();
        await audit.record(tx, actor, [{ action: 'contract.deletion_confirmed', decision: 'allow', details: { third_party_id: partyId, contract_id: contractId, late: toDay(c.deletion_due) !== null && (toDay(c.deletion_due) as string) < today() } }]);
        return presentContract(await contractRow(tx, actor.tenantId, partyId, contractId));
      });
    },

    /** Register a sharing channel: its fields must lie within the contract's PI types; handlers need a separate-consent purpose. */
    async createChannel(actor: Actor, input: ChannelInput) {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const p = await partyRow(tx, actor.tenantId, input.third_party_id);
        const c = await contractRow(tx, actor.tenantId, input.third_party_id, input.contract_id).catch(() => { throw invalidField('contract_id', '不是该第三方的合同', 'is not a contract of that third party'); });
        const col = await deps.collections.get(tx, actor.tenantId, input.collection).catch(() => { throw invalidField('collection', '不是已定义的集合', 'is not a defined collection'); });
        const unknown = input.fields.filter((f) => !col.fields.some((x) => x.name === f));
        if (unknown.length) throw invalidField('fields', `集合中没有这些字段：${unknown.join(', ')}`, `the collection has no fields ${unknown.join(', ')}`);
        const scope = (c.pi_types as PiScope[]).filter((s) => s.collection === input.collection);
        const allowed = scope.some((s) => s.fields.includes('*')) ? null : new Set(scope.flatMap((s) => s.fields));
        const outside = allowed ? input.fields.filter((f) => !allowed.has(f)) : [];
        if (outside.length) throw invalidField('fields', `超出合同约定的个人信息种类：${outside.join(', ')}`, `go beyond the PI types of the contract: ${outside.join(', ')}`);
        const purposes = await tx.selectFrom('purposes').select(['name', 'legal_basis']).where('tenant_id', '=', actor.tenantId).where('name', 'in', [input.purpose, input.separate_consent_purpose ?? input.purpose]).execute();
        if (!purposes.some((x) => x.name === input.purpose)) throw invalidField('purpose', '未登记', 'is not a registered purpose');
        const sensitive = input.fields.some((f) => col.fields.find((x) => x.name === f)?.sensitive);
        if ((p.kind !== 'entrusted' || sensitive) && !input.separate_consent_purpose) {
          throw invalidField('separate_consent_purpose', p.kind !== 'entrusted' ? '向其他个人信息处理者提供须取得个人单独同意（个人信息保护法第23条）：请指定记录单独同意的目的' : '含敏感个人信息，须取得单独同意（第29条）：请指定记录单独同意的目的', p.kind !== 'entrusted' ? 'is required: providing PI to another handler needs separate consent (PIPL Art. 23)' : 'is required: the fields include sensitive PI (PIPL Art. 29)');
        }
        if (input.separate_consent_purpose) {
          const sp = purposes.find((x) => x.name === input.separate_consent_purpose);
          if (!sp) throw invalidField('separate_consent_purpose', '未登记', 'is not a registered purpose');
          if (sp.legal_basis !== 'consent') throw invalidField('separate_consent_purpose', '的合法性基础必须是同意', 'must have consent as its legal basis');
        }
        const dup = await tx.selectFrom('share_channels').select('id').where('tenant_id', '=', actor.tenantId).where('name', '=', input.name).executeTakeFirst();
        if (dup) throw conflict('share.channel_exists', `通道 ${input.name} 已存在`, `channel ${input.name} already exists`, [{ field: 'name', reason: 'already exists' }]);
        const id = newId('chn');
        await tx.insertInto('share_channels').values({ tenant_id: actor.tenantId, id, name: input.name, third_party_id: p.id, contract_id: c.id, kind: input.kind, purpose: input.purpose, collection: input.collection, fields: JSON.stringify(input.fields), separate_consent_purpose: input.separate_consent_purpose ?? null, created_at: clock.now() }).execute();
        await audit.record(tx, actor, [{ action: 'share.channel_create', decision: 'allow', collection: input.collection, fields: input.fields, purpose: input.purpose, details: { channel_id: id, third_party_id: p.id, contract_id: c.id, separate_consent_purpose: input.separate_consent_purpose ?? null } }]);
        return presentChannel((await tx.selectFrom('share_channels').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirstOrThrow()));
      });
    },

    async listChannels(actor: Actor, q: { third_party_id?: string }) {
      return db.transaction(async (tx) => {
        await requireAnyPermission(access, tx, actor, ['third_parties.manage', 'shares.create']);
        let s = tx.selectFrom('share_channels').selectAll().where('tenant_id', '=', actor.tenantId);
        if (q.third_party_id) s = s.where('third_party_id', '=', q.third_party_id);
        return { channels: (await s.orderBy('name').execute()).map(presentChannel) };
      });
    },

    async setChannelState(actor: Actor, id: string, state: 'active' | 'disabled') {
      return db.transaction(async (tx) => {
        await manage(tx, actor);
        const ch = await tx.selectFrom('share_channels').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
        if (!ch) throw notFound('share.channel_not_found', '通道不存在', 'channel not found');
        await tx.updateTable('share_channels').set({ state }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute();
        await audit.record(tx, actor, [{ action: 'share.channel_state', decision: 'allow', details: { channel_id: id, state } }]);
        return presentChannel({ ...ch, state });
      });
    },

    /** Daily job: end expired contracts (asking for deletion), flag expiring ones, overdue deletions and due reviews. */
    async flagContracts(tenantId: string, now: Date, warnDays = 30) {
      const system: Actor = { type: 'system', id: 'job:third_parties.contracts', tenantId, roles: [] };
      const day = chinaDate(now);
      const soon = addCalendarDaysTo(day, warnDays);
      return db.transaction(async (tx) => {
        const rows = await tx.selectFrom('third_party_contracts').selectAll().where('tenant_id', '=', tenantId).where((eb) => eb.or([eb('state', '=', 'active'), eb('deletion_confirmed_at', 'is', null)])).forUpdate().execute();
        let ended = 0, changed = 0;
        const events = [];
        for (const c of rows) {
          const flag = contractFlag({ state: c.state, end_date: toDay(c.end_date) as string, deletion_due: toDay(c.deletion_due), deletion_confirmed: Boolean(c.deletion_confirmed_at) }, day, soon);
          if (flag === 'expired') { await endContract(tx, system, c, 'expired', undefined); ended++; continue; }
          if (flag !== c.flag) {
            await tx.updateTable('third_party_contracts').set({ flag }).where('tenant_id', '=', tenantId).where('id', '=', c.id).execute();
            events.push({ action: 'contract.flag', decision: 'allow' as const, details: { contract_id: c.id, third_party_id: c.third_party_id, flag } });
            changed++;
          }
        }
        const parties = await tx.selectFrom('third_parties').select(['id', 'review_due', 'flag']).where('tenant_id', '=', tenantId).where('state', '=', 'active').execute();
        for (const p of parties) {
          const flag = p.review_due && (toDay(p.review_due) as string) <= day ? 'review_due' : null;
          if (flag !== p.flag) { await tx.updateTable('third_parties').set({ flag }).where('tenant_id', '=', tenantId).where('id', '=', p.id).execute(); changed++; events.push({ action: 'third_party.flag', decision: 'allow' as const, details: { third_party_id: p.id, flag } }); }
        }
        await audit.record(tx, system, events);
        return { today: day, contracts_ended: ended, changed };
      });
    },
  };
}

export function presentChannel(c: { id: string; name: string; third_party_id: string; contract_id: string; kind: string; purpose: string; collection: string; fields: unknown; separate_consent_purpose: string | null; state: string; created_at: Date }) {
  return { id: c.id, name: c.name, third_party_id: c.third_party_id, contract_id: c.contract_id, kind: c.kind, purpose: c.purpose, collection: c.collection, fields: c.fields as string[], separate_consent_purpose: c.separate_consent_purpose, state: c.state, created_at: iso(c.created_at) };
}
export type ThirdPartyService = ReturnType<typeof createThirdPartyService>;
