/** Domain types of notices, consents and the register of processing activities (no logic). */
import type { Category } from '../core/pi-types.js';

import { CHANNELS, GUARDIAN_RELATIONS, RECIPIENT_KINDS, TRIGGERS } from './consent-catalog.js';

export * from './consent-catalog.js';
export type Channel = (typeof CHANNELS)[number];
export type GuardianRelation = (typeof GUARDIAN_RELATIONS)[number];
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];
export type Trigger = (typeof TRIGGERS)[number];
export type Triggers = Record<Trigger, boolean>;

/** Age below which consent must come from a parent or guardian (PIPL Art. 31: 不满十四周岁). Fixed by law. */
export const GUARDIAN_CONSENT_AGE = 14;

// ---------- notices ----------
export interface NoticePurposeSection {
  purpose: string;
  manner?: string;
  pi_categories?: Category[];
  /** Vault fields as "collection.field"; their sensitive flag counts. */
  fields?: string[];
  pi_description?: string;
  retention?: string;
  retention_days?: number;
  sensitive?: boolean;
}
export interface NoticeRecipientSection { name?: string; kind: RecipientKind; contact?: string; purposes?: string[]; manner?: string; pi_categories?: Category[]; country?: string }
export interface NoticeCrossBorderSection { recipient?: string; contact?: string; country?: string; purposes?: string[]; manner?: string; pi_categories?: Category[]; rights?: string }
export interface NoticeSections {
  handler?: { name?: string; contact?: string; address?: string };
  purposes?: NoticePurposeSection[];
  rights?: string;
  retention_end?: string;
  sensitive?: { necessity?: string; impact?: string };
  recipients?: NoticeRecipientSection[];
  cross_border?: NoticeCrossBorderSection[];
}
export interface NoticeInput { name: string; language: string; text: string; purposes: string[]; material_change?: boolean; sections?: NoticeSections }

/** What one version declares for one purpose, resolved at publication (drives separate consent and re-consent). */
export interface PurposeScope {
  manner: string | null;
  categories: string[];
  fields: string[];
  sensitive: boolean;
  sensitive_fields: string[];
  retention: string | null;
  retention_days: number | null;
  recipients: Array<{ name: string; kind: RecipientKind; country: string | null }>;
  cross_border: Array<{ recipient: string; country: string | null }>;
}
export type NoticeScope = Record<string, PurposeScope>;

export interface MissingSection { section: string; field: string; article: string; zh: string; en: string }

// ---------- consents ----------
export interface GuardianInput { name?: string; relation: GuardianRelation; subject_id?: string; verification?: string }
export interface AgeEvidence { birth_date?: string; id_number?: string; under_14?: boolean }
export interface ConsentInput {
  purpose: string;
  notice: string;
  notice_version: number;
  channel: Channel;
  separate?: boolean;
  evidence?: string;
  guardian?: GuardianInput;
  age_evidence?: AgeEvidence;
}

// ---------- processing activities ----------
export interface ActivityRecipient { name: string; kind: RecipientKind; country?: string; contact?: string; purpose?: string; fields?: string[]; contract_ref?: string }
export interface ActivityInput {
  name: string;
  description?: string;
  purposes: string[];
  legal_basis: string;
  subject_categories?: string[];
  estimated_subjects?: number;
  data?: Array<{ collection: string; fields: string[] }>;
  other_pi?: Array<{ label: string; category: Category; sensitive?: boolean }>;
  sources?: string[];
  operations?: string[];
  manner?: string;
  automated_decision?: boolean;
  recipients?: ActivityRecipient[];
  cross_border?: { countries: string[]; recipients?: string[]; mechanism?: string; note?: string } | null;
  retention?: { period: string; days?: number; end_action?: string };
  security_measures?: string[];
  security_notes?: string;
  department?: string;
  owner?: string;
  owner_contact?: string;
  systems?: string[];
  notice?: string;
}
export type ActivityPatch = Partial<ActivityInput> & { expected_revision?: number };

export interface ActivityComputed {
  categories: string[];
  fields: Array<{ collection: string; field: string; type: string; category: string; sensitive: boolean }>;
  sensitive_fields: string[];
  cross_border_countries: string[];
}

/** The impact-assessment gate (issue 10): throws to refuse activation; absent means no gate. */
export type AssessmentGate = (tx: import('../db/connection.js').Tx, tenantId: string, activityId: string, triggers: Triggers) => Promise<void>;
