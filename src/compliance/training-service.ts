/**
 * Training and accountability (PIPL 51(4): 定期进行安全教育和培训; 责任追究): courses with content and a
 * short quiz, assigned by role; a passed quiz writes the training record that the access gate reads
 * (access.trainingRefusal), valid for the course's validity; coverage and reminders of what is due; and
 * violations found in incidents or audits recorded against the responsible staff member with the
 * measure taken. "retraining" invalidates the person's current trainings (PI access stops until they
 * pass again); "access_suspended" disables the account and ends its sessions.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { countOf, orderBySpec, type PageQuery, type SortSpec } from '../db/paging.js';
import { forbidden, invalidField, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import { chinaDate } from '../rights/index.js';

export const ACCOUNTABILITY_SORT: SortSpec<'created_at' | 'staff_id' | 'measure' | 'source'> = { columns: { created_at: 'created_at', staff_id: 'staff_id', measure: 'measure', source: 'source' }, sort: 'created_at', order: 'desc', tiebreak: ['id'] };

export interface QuizQuestion { question: string; options: string[]; answer: number }
export interface CourseInput { title: string; content: string; quiz: QuizQuestion[]; pass_score: number; validity_days: number; roles: string[] }
export interface ViolationInput { staff_id: string; source: 'incident' | 'audit' | 'other'; source_ref?: string; description: string; measure: 'warning' | 'retraining' | 'access_suspended' | 'disciplinary' | 'reward' | 'other'; measure_detail?: string }

/** Reminders go out this many days before a training expires. */
export const REMIND_DAYS = 30;
const DAY = 86_400_000;

/** Score in percent of a set of answers. */
export function gradeQuiz(quiz: QuizQuestion[], answers: number[]): number {
  if (!quiz.length) return 100;
  const right = quiz.filter((q, i) => answers[i] === q.answer).length;
  return Math.round((right / quiz.length) * 100);
}

export function createTrainingService(deps: { db: Db; audit: Pick<AuditService, 'record'>; access: Pick<AccessService, 'requirePermission'>; clock: Clock }) {
  const { db, audit, access, clock } = deps;
  const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

  /** Staff with the course's roles, their current training for it, and what is due. */
  async function assignments(tenantId: string, courseId?: string) {
    const today = chinaDate(clock.now());
    let q = db.kysely.selectFrom('training_courses').select(['id', 'title', 'roles', 'validity_days']).where('tenant_id', '=', tenantId).where('retired_at', 'is', null);
    if (courseId) q = q.where('id', '=', courseId);
    const courses = await q.execute();
    const staff = await db.kysely.selectFrom('staff').select(['id', 'username', 'display_name', 'roles']).where('tenant_id', '=', tenantId).where('disabled_at', 'is', null).execute();
    const records = await sql<{ staff_id: string; course: string; expires_at: string }>`select staff_id, course, max(expires_at)::text as expires_at from trainings where tenant_id = ${tenantId} group by staff_id, course`.execute(db.kysely);
    const latest = new Map(records.rows.map((r) => [`${r.staff_id}|${r.course}`, r.expires_at]));
    return courses.map((c) => {
      const roles = new Set(c.roles as string[]);
      const people = staff.filter((s) => (s.roles as string[]).some((r) => roles.has(r))).map((s) => {
        const expires = latest.get(`${s.id}|${c.title}`) ?? null;
        const state = !expires || expires < today ? 'due' : expires <= addDays(today, REMIND_DAYS) ? 'expiring' : 'valid';
        return { staff_id: s.id, username: s.username, display_name: s.display_name, expires_at: expires, state };
      });
      return { course_id: c.id, title: c.title, assigned: people.length, valid: people.filter((p) => p.state !== 'due').length, people };
    });
  }

  return {
    async createCourse(actor: Actor, input: CourseInput) {
      input.quiz.forEach((q, i) => { if (!Number.isInteger(q.answer) || q.answer < 0 || q.answer >= q.options.length) throw invalidField(`quiz[${i}].answer`, '必须是选项的序号', 'must be the index of one of the options'); });
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.manage');
        const roles = await tx.selectFrom('roles').select('name').where('tenant_id', '=', actor.tenantId).where('name', 'in', input.roles.length ? input.roles : ['']).execute();
        const missing = input.roles.filter((r) => !roles.some((x) => x.name === r));
        if (missing.length) throw invalidField('roles', `不存在：${missing.join(', ')}`, `unknown roles: ${missing.join(', ')}`);
        const id = newId('crs');
        await tx.insertInto('training_courses').values({ tenant_id: actor.tenantId, id, title: input.title, content: input.content, quiz: JSON.stringify(input.quiz), pass_score: input.pass_score, validity_days: input.validity_days, roles: JSON.stringify(input.roles), created_by: actor.id }).execute();
        await audit.record(tx, actor, [{ action: 'training.course_create', decision: 'allow', details: { course_id: id, roles: input.roles } }]);
        return { id, title: input.title, pass_score: input.pass_score, validity_days: input.validity_days, roles: input.roles, questions: input.quiz.length };
      });
    },

    /** Managers see every course with coverage; a staff member sees the courses assigned to them. */
    async listCourses(actor: Actor) {
      const all = await assignments(actor.tenantId);
      if (actor.type === 'staff') {
        const mine = all.filter((c) => c.people.some((p) => p.staff_id === actor.id));
        const canManage = await db.transaction((tx) => access.requirePermission(tx, actor, 'compliance.read').then(() => true, () => false));
        if (!canManage) return { courses: mine.map((c) => ({ course_id: c.course_id, title: c.title, ...c.people.find((p) => p.staff_id === actor.id)! })) };
      } else {
        await db.transaction((tx) => access.requirePermission(tx, actor, 'compliance.read'));
      }
      return { courses: all };
    },

    /** The course to study: content and questions, never the answers. */
    async getCourse(actor: Actor, id: string) {
      const c = await db.kysely.selectFrom('training_courses').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).executeTakeFirst();
      if (!c) throw notFound('training.course_not_found', '课程不存在', 'course not found');
      const assigned = actor.type === 'staff' && (await assignments(actor.tenantId, id))[0]?.people.some((p) => p.staff_id === actor.id);
      if (!assigned) await db.transaction((tx) => access.requirePermission(tx, actor, 'compliance.read'));
      return { id: c.id, title: c.title, content: c.content, pass_score: c.pass_score, validity_days: c.validity_days, questions: (c.quiz as QuizQuestion[]).map((q) => ({ question: q.question, options: q.options })) };
    },

    /** A staff member answers the quiz; a pass writes the training record the access gate reads. */
    async attempt(actor: Actor, id: string, answers: number[]) {
      if (actor.type !== 'staff') throw forbidden('training.staff_only', '培训须由员工本人完成', 'a training is taken by a signed-in staff member in person');
      return db.transaction(async (tx) => {
        const c = await tx.selectFrom('training_courses').selectAll().where('tenant_id', '=', actor.tenantId).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
        if (!c) throw notFound('training.course_not_found', '课程不存在', 'course not found');
        const quiz = c.quiz as QuizQuestion[];
        if (answers.length !== quiz.length) throw invalidField('answers', `须回答全部 ${quiz.length} 题`, `must answer all ${quiz.length} questions`);
        const score = gradeQuiz(quiz, answers);
        const passed = score >= c.pass_score;
        await tx.insertInto('training_attempts').values({ tenant_id: actor.tenantId, id: newId('tat'), course_id: id, staff_id: actor.id, score, passed }).execute();
        let expires: string | null = null;
        if (passed) {
          const today = chinaDate(clock.now());
          expires = addDays(today, c.validity_days);
          await tx.insertInto('trainings').values({ tenant_id: actor.tenantId, id: newId('trn'), staff_id: actor.id, course: c.title, completed_at: today, expires_at: expires }).execute();
        }
        await audit.record(tx, actor, [{ action: 'training.attempt', decision: passed ? 'allow' : 'deny', details: { course_id: id, score, pass_score: c.pass_score } }]);
        return { course_id: id, score, pass_score: c.pass_score, passed, expires_at: expires };
      });
    },

    async coverage(actor: Actor) {
      await db.transaction((tx) => access.requirePermission(tx, actor, 'compliance.read'));
      return { remind_days: REMIND_DAYS, courses: await assignments(actor.tenantId) };
    },

    /** The daily job: one audit event per person with a course due or expiring soon (the reminder trail). */
    async remind(tenantId: string) {
      const due = (await assignments(tenantId)).flatMap((c) => c.people.filter((p) => p.state !== 'valid').map((p) => ({ course_id: c.course_id, staff_id: p.staff_id, state: p.state, expires_at: p.expires_at })));
      if (due.length) {
        const actor: Actor = { type: 'system', id: 'job:trainings.remind', tenantId, roles: [] };
        await db.transaction((tx) => audit.record(tx, actor, due.map((d) => ({ action: 'training.reminder', decision: 'allow' as const, details: d }))));
      }
      return { reminders: due.length };
    },

    async recordViolation(actor: Actor, input: ViolationInput) {
      const out = await db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.manage');
        const s = await tx.selectFrom('staff').select('id').where('tenant_id', '=', actor.tenantId).where('id', '=', input.staff_id).executeTakeFirst();
        if (!s) throw invalidField('staff_id', '不存在', 'is not a staff member of this tenant');
        const id = newId('acc');
        await tx.insertInto('accountability_records').values({ tenant_id: actor.tenantId, id, staff_id: input.staff_id, source: input.source, source_ref: input.source_ref ?? null, description: input.description, measure: input.measure, measure_detail: input.measure_detail ?? null, created_by: actor.id }).execute();
        const today = chinaDate(clock.now());
        if (input.measure === 'retraining') {
          // Training records end yesterday: the access gate refuses PI until a course is passed again. The gate compares
          // with the UTC date and this module with the China date, so take the earlier of the two.
          const utc = clock.now().toISOString().slice(0, 10);
          const ended = addDays(utc < today ? utc : today, -1);
          await tx.updateTable('trainings').set({ expires_at: ended }).where('tenant_id', '=', actor.tenantId).where('staff_id', '=', input.staff_id).where('expires_at', '>', ended).execute();
        }
        if (input.measure === 'access_suspended') {
          await tx.updateTable('staff').set({ disabled_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('id', '=', input.staff_id).execute();
          await tx.updateTable('sessions').set({ revoked_at: clock.now() }).where('tenant_id', '=', actor.tenantId).where('staff_id', '=', input.staff_id).where('revoked_at', 'is', null).execute();
        }
        await audit.record(tx, actor, [{ action: 'accountability.record', decision: 'allow', details: { record_id: id, staff_id: input.staff_id, source: input.source, source_ref: input.source_ref ?? null, measure: input.measure } }]);
        return { id, ...input, source_ref: input.source_ref ?? null, measure_detail: input.measure_detail ?? null };
      });
      return out;
    },

    async listViolations(actor: Actor, page: { staff_id?: string; measure?: string; source?: 'incident' | 'audit' | 'other' } & PageQuery<keyof typeof ACCOUNTABILITY_SORT.columns>) {
      return db.transaction(async (tx) => {
        await access.requirePermission(tx, actor, 'compliance.read');
        let q = tx.selectFrom('accountability_records').selectAll().where('tenant_id', '=', actor.tenantId);
        if (page.staff_id) q = q.where('staff_id', '=', page.staff_id);
        if (page.measure) q = q.where('measure', '=', page.measure);
        if (page.source) q = q.where('source', '=', page.source);
        const rows = await orderBySpec(q, page, ACCOUNTABILITY_SORT).limit(Math.min(page.limit ?? 20, 200)).offset(page.offset ?? 0).execute();
        return { total: await countOf(q), records: rows.map((r) => ({ id: r.id, staff_id: r.staff_id, source: r.source, source_ref: r.source_ref, description: r.description, measure: r.measure, measure_detail: r.measure_detail, created_by: r.created_by, created_at: new Date(r.created_at).toISOString() })) };
      });
    },
  };
}
export type TrainingService = ReturnType<typeof createTrainingService>;
