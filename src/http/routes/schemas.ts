/** Request schemas shared by routes and the OpenAPI document. Unknown keys are refused. */
import { z } from 'zod';
import { CATEGORIES, FIELD_TYPES } from '../../core/pi-types.js';
import { ACTIONS, LEGAL_BASES, PERMISSIONS } from '../../access/index.js';
import { CHANNELS, GUARDIAN_RELATIONS } from '../../consent/index.js';

export const Name = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'use lower-case letters, digits and _ (start with a letter, at most 63)');
/** A real calendar day (2026-02-30 or 6353-73-94 must not reach the database and fail there). */
export const Day = z.iso.date({ error: 'is a date YYYY-MM-DD' });
/** A version or count kept in an integer column. */
export const Int32 = z.number().int().max(2_147_483_647);
export const IdParam = z.string().regex(/^[a-z]{2,8}_[A-Za-z0-9]{8,64}$/, 'is not a valid id');
export const Problem = z.object({ type: z.string(), status: z.number(), title: z.string(), code: z.string(), detail: z.string(), detail_zh: z.string().optional(), errors: z.array(z.record(z.string(), z.unknown())).optional() });

export const FieldInput = z.strictObject({
  name: Name,
  type: z.enum(FIELD_TYPES),
  category: z.enum(CATEGORIES).optional(),
  sensitive: z.boolean().optional(),
  searchable: z.boolean().optional(),
  title: z.string().max(100).optional(),
  grade: z.enum(['general', 'important', 'core']).optional(),
});
export const CollectionInput = z.strictObject({ name: Name, title: z.string().max(100).optional(), fields: z.array(FieldInput).min(1).max(200) });
// --- issue 4: consent at collection (also carried by a record write) ---
export const GuardianInput = z.strictObject({ name: z.string().min(1).max(100).optional(), relation: z.enum(GUARDIAN_RELATIONS), subject_id: IdParam.optional(), verification: z.string().max(500).optional() });
export const AgeEvidence = z.strictObject({ birth_date: z.string().max(20).optional(), id_number: z.string().max(30).optional(), under_14: z.boolean().optional() });
export const ConsentInput = z.strictObject({
  purpose: Name, notice: z.string().min(1).max(63), notice_version: Int32.min(1), channel: z.enum(CHANNELS), separate: z.boolean().optional(), evidence: z.string().max(500).optional(),
  guardian: GuardianInput.optional(), age_evidence: AgeEvidence.optional(),
});
const FieldValues = z.record(z.string().max(63), z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]));
export const RecordInput = z.strictObject({ subject_id: IdParam.optional(), fields: FieldValues, consents: z.array(ConsentInput).max(20).optional() });
export const RecordsBody = z.union([z.strictObject({ records: z.array(RecordInput).min(1) }), RecordInput]);
export const SearchBody = z.strictObject({ field: Name, value: z.union([z.string().max(4000), z.number(), z.boolean()]), purpose: Name, fields: z.array(Name).max(200).optional(), limit: z.number().int().min(1).max(1000).optional(),
  offset: z.number().int().min(0).max(1_000_000).optional(), order: z.enum(['asc', 'desc'], { error: 'is asc or desc' }).optional() });
export const ReadQuery = z.strictObject({ purpose: Name, fields: z.string().max(4000).regex(/^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$/, 'is a comma-separated list of field names').optional() });
export const UpdateBody = z.strictObject({ fields: FieldValues });

export const PurposeInput = z.strictObject({
  name: Name, title: z.string().min(1).max(100), title_en: z.string().max(100).optional(), legal_basis: z.enum(LEGAL_BASES),
  description: z.string().max(2000).optional(), requires_training: z.boolean().optional(), automated_decision: z.boolean().optional(), reconsent_mode: z.enum(['block', 'warn']).optional(),
});
/** What may change on a registered purpose (its name and legal basis stay). */
export const PurposePatch = z.strictObject({
  title: z.string().min(1).max(100).optional(), title_en: z.string().max(100).optional(), description: z.string().max(2000).optional(),
  requires_training: z.boolean().optional(), automated_decision: z.boolean().optional(), reconsent_mode: z.enum(['block', 'warn']).optional(),
});
const Wild = z.union([Name, z.literal('*')]);
export const Grant = z.strictObject({ collection: Wild, fields: z.array(Wild).min(1), actions: z.array(z.enum(ACTIONS)).min(1), purposes: z.array(Wild).min(1), view: z.enum(['plain', 'masked']) });
export const RoleInput = z.strictObject({ name: Name, title: z.string().max(100).optional(), grants: z.array(Grant).max(200), permissions: z.array(z.enum(PERMISSIONS)).optional() });
export const ApiKeyInput = z.strictObject({ name: z.string().min(1).max(100), roles: z.array(Name).min(1).max(20), expires_at: z.iso.datetime().optional() });
export const AuditQuery = z.strictObject({ subject_id: IdParam.optional(), actor_id: z.string().max(80).optional(), purpose: Name.optional(), action: z.string().max(40).optional(), from: z.iso.datetime().optional(), to: z.iso.datetime().optional(), after_seq: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(1000).optional(),
  /** desc: newest first, the next page by before_seq (the log is ordered by its chain sequence only: it is append-only). */
  order: z.enum(['asc', 'desc'], { error: 'is asc or desc' }).optional(), before_seq: z.coerce.number().int().min(1).optional(), decision: z.enum(['allow', 'deny']).optional() });

// --- server-side paging, sorting and filtering of lists (the console pages them; applications may too) ---
/** limit and offset of a paged list. */
export const Paging = {
  limit: z.coerce.number({ error: 'is a whole number from 1 to 200' }).int().min(1).max(200).optional(),
  offset: z.coerce.number({ error: 'is a whole number of 0 or more' }).int().min(0).max(10_000_000).optional(),
};
/** sort (one of the list's sort keys: the keys of its column map) and order (asc or desc). */
export function Sorting<K extends string>(columns: Record<K, unknown>) {
  const keys = Object.keys(columns) as [K, ...K[]];
  return {
    sort: z.enum(keys, { error: `is one of ${keys.join(', ')}` }).optional(),
    order: z.enum(['asc', 'desc'], { error: 'is asc or desc' }).optional(),
  };
}
/** A comma-separated list of allowed values (a multi-valued filter such as state=active,revoked). */
export function OneOrMore<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().max(500).transform((s, ctx) => {
    const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
    const bad = parts.filter((x) => !values.includes(x));
    if (bad.length || !parts.length) { ctx.addIssue({ code: 'custom', message: `is a comma-separated list of ${values.join(', ')}` }); return z.NEVER; }
    return parts as Array<T[number]>;
  });
}
export const Bool = z.enum(['true', 'false'], { error: 'is true or false' }).transform((v) => v === 'true');
/** A "contains" search text of a list. */
export const SearchText = z.string().min(1).max(100);
