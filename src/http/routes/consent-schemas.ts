/** Request schemas of notices, consents and the register of processing activities (reused for OpenAPI). */
import { z } from 'zod';
import { CATEGORIES } from '../../core/pi-types.js';
import { LEGAL_BASES } from '../../access/index.js';
import {
  ACTIVITY_SORT, ACTIVITY_STATES, CONSENT_SORT, END_ACTIONS, OPERATIONS, RECIPIENT_KINDS, SECURITY_MEASURES, SOURCES, SUBJECT_CATEGORIES, TRANSFER_MECHANISMS, TRIGGERS,
} from '../../consent/index.js';
import { IdParam, Int32, Name, Sorting } from './schemas.js';

const Text = (max: number) => z.string().max(max);
const Country = z.string().regex(/^[A-Z]{2}$/, 'is an ISO 3166-1 alpha-2 country or region code in capitals (CN, HK, SG, US…)');
const FieldRef = z.string().regex(/^[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$/, 'is a vault field written collection.field');
const Categories = z.array(z.enum(CATEGORIES)).max(20);
export const NoticeName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lower-case letters, digits, - and _');

export const NoticeSections = z.strictObject({
  handler: z.strictObject({ name: Text(200).optional(), contact: Text(500).optional(), address: Text(500).optional() }).optional(),
  purposes: z.array(z.strictObject({
    purpose: Name, manner: Text(4000).optional(), pi_categories: Categories.optional(), fields: z.array(FieldRef).max(500).optional(), pi_description: Text(4000).optional(),
    retention: Text(1000).optional(), retention_days: z.number().int().min(0).max(36500).optional(), sensitive: z.boolean().optional(),
  })).max(100).optional(),
  rights: Text(8000).optional(),
  retention_end: Text(4000).optional(),
  sensitive: z.strictObject({ necessity: Text(4000).optional(), impact: Text(4000).optional() }).optional(),
  recipients: z.array(z.strictObject({
    name: Text(200).optional(), kind: z.enum(RECIPIENT_KINDS), contact: Text(500).optional(), purposes: z.array(Name).max(100).optional(), manner: Text(4000).optional(),
    pi_categories: Categories.optional(), country: Country.optional(),
  })).max(200).optional(),
  cross_border: z.array(z.strictObject({
    recipient: Text(200).optional(), contact: Text(500).optional(), country: Country.optional(), purposes: z.array(Name).max(100).optional(), manner: Text(4000).optional(),
    pi_categories: Categories.optional(), rights: Text(4000).optional(),
  })).max(100).optional(),
});
export const NoticeInput = z.strictObject({
  name: NoticeName, language: z.enum(['zh-CN', 'en']), text: z.string().min(1).max(200_000), purposes: z.array(Name).max(100),
  material_change: z.boolean().optional(), sections: NoticeSections.optional(),
});
export const NoticeVersionParams = z.strictObject({ name: NoticeName, version: z.coerce.number().pipe(Int32.min(1)) });
export const NoticeDiffQuery = z.strictObject({ from: z.coerce.number().pipe(Int32.min(1)), to: z.coerce.number().pipe(Int32.min(1)) });
export const ConsentSettings = z.strictObject({ require_notice_sections: z.boolean() });
const Bool = z.enum(['true', 'false']);
export const ConsentQuery = z.strictObject({
  purpose: Name.optional(), state: z.enum(['granted', 'withdrawn']).optional(), needs_reconsent: Bool.optional(), notice: NoticeName.optional(), subject_id: IdParam.optional(),
  minor: Bool.optional(), limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional(), ...Sorting(CONSENT_SORT.columns),
});

const Recipient = z.strictObject({
  name: z.string().min(1).max(200), kind: z.enum(RECIPIENT_KINDS), country: Country.optional(), contact: Text(500).optional(), purpose: Name.optional(),
  fields: z.array(FieldRef).max(500).optional(), contract_ref: Text(200).optional(),
});
const activityShape = {
  name: z.string().min(1).max(200),
  description: Text(4000).optional(),
  purposes: z.array(Name).min(1).max(50),
  legal_basis: z.enum(LEGAL_BASES),
  subject_categories: z.array(z.enum(SUBJECT_CATEGORIES)).max(20).optional(),
  estimated_subjects: z.number().int().min(0).max(10_000_000_000).optional(),
  data: z.array(z.strictObject({ collection: Name, fields: z.array(z.union([Name, z.literal('*')])).min(1).max(500) })).max(100).optional(),
  other_pi: z.array(z.strictObject({ label: z.string().min(1).max(200), category: z.enum(CATEGORIES), sensitive: z.boolean().optional() })).max(200).optional(),
  sources: z.array(z.enum(SOURCES)).max(4).optional(),
  operations: z.array(z.enum(OPERATIONS)).max(8).optional(),
  manner: Text(4000).optional(),
  automated_decision: z.boolean().optional(),
  recipients: z.array(Recipient).max(200).optional(),
  cross_border: z.strictObject({ countries: z.array(Country).min(1).max(50), recipients: z.array(z.string().max(200)).max(50).optional(), mechanism: z.enum(TRANSFER_MECHANISMS).optional(), note: Text(2000).optional() }).nullable().optional(),
  retention: z.strictObject({ period: z.string().min(1).max(500), days: z.number().int().min(0).max(36500).optional(), end_action: z.enum(END_ACTIONS).optional() }).optional(),
  security_measures: z.array(z.enum(SECURITY_MEASURES)).max(20).optional(),
  security_notes: Text(4000).optional(),
  department: Text(200).optional(),
  owner: Text(100).optional(),
  owner_contact: Text(200).optional(),
  systems: z.array(z.string().min(1).max(100)).max(50).optional(),
  notice: NoticeName.optional(),
};
export const ActivityInput = z.strictObject(activityShape);
export const ActivityPatch = z.strictObject({
  ...Object.fromEntries(Object.entries(activityShape).map(([k, v]) => [k, (v as z.ZodType).optional()])) as { [K in keyof typeof activityShape]: z.ZodOptional<(typeof activityShape)[K]> },
  expected_revision: z.number().int().min(1).optional(),
});
export const ActivityQuery = z.strictObject({
  state: z.enum(ACTIVITY_STATES).optional(), purpose: Name.optional(), trigger: z.enum(TRIGGERS).optional(), q: z.string().max(100).optional(), department: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional(), ...Sorting(ACTIVITY_SORT.columns),
});
export const ActivityExportQuery = z.strictObject({ format: z.enum(['xlsx', 'json']).default('xlsx'), state: z.enum(ACTIVITY_STATES).optional() });
export const RetireBody = z.strictObject({ reason: z.string().max(2000).optional() });
