/** Table types for the typed query layer (Kysely). Mirrors migrations/; bytea is Buffer, int8 is number. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable { id: string; name: string; suite: 'aes' | 'sm'; state: Generated<string>; kek_version: number; index_key_wrapped: Buffer | null; created_at: Timestamp }
export interface TenantKeysTable { tenant_id: string; version: number; wrapped: Buffer | null; created_at: Timestamp; retired_at: TimestampNull }
export interface SubjectsTable { tenant_id: string; id: string; kek_version: number | null; wrapped_key: Buffer | null; created_at: Timestamp; erased_at: TimestampNull }
export interface CollectionsTable { tenant_id: string; id: string; name: string; title: string | null; fields: Json<unknown>; created_at: Timestamp; updated_at: Timestamp }
export interface RecordsTable { tenant_id: string; id: string; collection_id: string; subject_id: string; sealed: Buffer; created_at: Timestamp; updated_at: Timestamp }
export interface BlindIndexTable { tenant_id: string; hash: Buffer; field: string; record_id: string }
export interface ErasureLedgerTable { tenant_id: string; seq: Generated<number>; kind: 'subject' | 'record' | 'tenant'; target_id: string; reason: string | null; erased_at: Timestamp }
export interface PurposesTable { tenant_id: string; name: string; title: string; title_en: string | null; legal_basis: string; description: string | null; requires_training: Generated<boolean>; automated_decision: Generated<boolean>; reconsent_mode: Generated<string>; created_at: Timestamp; updated_at: Timestamp }
export interface RolesTable { tenant_id: string; name: string; title: string | null; grants: Json<unknown>; permissions: Json<unknown>; builtin: Generated<boolean>; created_at: Timestamp; updated_at: Timestamp }
export interface ApiKeysTable { tenant_id: string; id: string; name: string; key_hash: Buffer; roles: Json<string[]>; created_at: Timestamp; expires_at: TimestampNull; revoked_at: TimestampNull; last_used_at: TimestampNull }
export interface StaffTable { tenant_id: string; id: string; username: string; display_name: string; email: string | null; password_hash: string | null; totp_sealed: Buffer | null; totp_enabled: Generated<boolean>; totp_last_step: number | null; roles: Json<string[]>; failed_logins: Generated<number>; locked_until: TimestampNull; disabled_at: TimestampNull; last_login_at: TimestampNull; created_at: Timestamp }
export interface SessionsTable { token_hash: Buffer; tenant_id: string; staff_id: string; mfa: Generated<boolean>; csrf_token: string; created_at: Timestamp; expires_at: Timestamp; revoked_at: TimestampNull }
export interface TrainingsTable { tenant_id: string; id: string; staff_id: string; course: string; completed_at: ColumnType<string, string, string>; expires_at: ColumnType<string, string, string>; created_at: Timestamp }
export interface SubjectRestrictionsTable { tenant_id: string; subject_id: string; purpose: string; reason: string | null; created_at: Timestamp }
export interface AuditHeadsTable { tenant_id: string; seq: number; hash: Buffer }
export interface AuditEventsTable {
  tenant_id: string; seq: number | null; id: string; at: Timestamp; actor_type: string; actor_id: string; action: string; decision: string;
  purpose: string | null; subject_id: string | null; collection: string | null; record_id: string | null; fields: Json<string[] | null> | null;
  reason: string | null; client_ip: string | null; request_id: string | null; details: Json<Record<string, unknown> | null> | null; prev_hash: Buffer | null; hash: Buffer | null;
  /** 1: hashed over the JavaScript canonical form; 2: over the text PostgreSQL renders (audit-chain.ts). */
  chain_v: Generated<number>;
}
export interface SigningKeysTable { tenant_id: string; id: string; algorithm: string; public_key: string; private_sealed: Buffer; created_at: Timestamp }
// issue 7: customer portal
export interface PortalChallengesTable { tenant_id: string; id: string; subject_id: string | null; channel: 'sms' | 'email'; contact_hash: Buffer; ip_hash: Buffer; salt: Buffer; code_hash: Buffer; attempts: Generated<number>; created_at: Timestamp; expires_at: Timestamp; used_at: TimestampNull }
export interface PortalSessionsTable { token_hash: Buffer; tenant_id: string; subject_id: string; csrf_token: string; created_at: Timestamp; expires_at: Timestamp; revoked_at: TimestampNull }
export interface AuditCheckpointsTable { tenant_id: string; seq: number; hash: Buffer; signature: Buffer; key_id: string; at: Timestamp }

export interface NoticesTable { tenant_id: string; name: string; version: number; language: string; text: string; sha256: string; purposes: Json<string[]>; material_change: Generated<boolean>; created_at: Timestamp; sections: Json<unknown> | null; scope: ColumnType<unknown, string | undefined, string>; missing_sections: ColumnType<unknown, string | undefined, string>; changed_purposes: ColumnType<string[], string | undefined, string>; compared_with: number | null }
export interface ConsentsTable { tenant_id: string; subject_id: string; purpose: string; state: 'granted' | 'withdrawn'; notice: string; notice_version: number; channel: string; separate: Generated<boolean>; evidence: string | null; guardian: string | null; needs_reconsent: Generated<boolean>; granted_at: Timestamp; withdrawn_at: TimestampNull; minor: Generated<boolean>; age_source: string | null; guardian_relation: string | null; guardian_subject_id: string | null; guardian_verification: string | null; reconsent_since: number | null }
export interface ConsentEventsTable { tenant_id: string; id: string; subject_id: string; purpose: string; event: string; notice: string | null; notice_version: number | null; channel: string | null; separate: boolean | null; evidence: string | null; guardian: string | null; at: Timestamp; minor: boolean | null; guardian_relation: string | null; guardian_subject_id: string | null }
// --- issue 4: notice settings and the register of processing activities ---
export interface ConsentSettingsTable { tenant_id: string; require_notice_sections: Generated<boolean>; updated_at: Timestamp }
export interface ActivitiesTable { tenant_id: string; id: string; name: string; state: Generated<'draft' | 'active' | 'retired'>; revision: Generated<number>; legal_basis: string; department: string | null; owner: string | null; entry: Json<unknown>; computed: Json<unknown>; triggers: Json<unknown>; created_at: Timestamp; updated_at: Timestamp; activated_at: TimestampNull; retired_at: TimestampNull; retire_reason: string | null }
export interface ActivityPurposesTable { tenant_id: string; purpose: string; activity_id: string }
export interface ActivityRevisionsTable { tenant_id: string; activity_id: string; revision: number; change: string; state: string; entry: Json<unknown>; changed: Json<string[]>; actor_type: string; actor_id: string; at: Timestamp }

// 0004_rights_backup
export interface RightsRequestsTable {
  tenant_id: string; id: string; subject_id: string; kind: string; state: Generated<string>; received_at: Timestamp; due: ColumnType<string, string, string>; due_basis: Generated<string>;
  requester: Json<Record<string, unknown> | null> | null; requester_sealed: Buffer | null; details: Json<Record<string, unknown> | null> | null; verification_method: string | null; verification_result: string | null; verified_at: TimestampNull;
  reason: string | null; resolution: Json<Record<string, unknown> | null> | null; flag: string | null; flagged_at: TimestampNull; export_expires_at: TimestampNull; exported_at: TimestampNull; closed_at: TimestampNull; updated_at: Timestamp;
}
export interface SubjectInstructionsTable { tenant_id: string; subject_id: string; relatives: 'allow' | 'deny'; note: string | null; created_at: Timestamp }
export interface RetentionRulesTable { tenant_id: string; id: string; name: string; collection: string; field: string | null; purpose: string | null; period_days: number; anchor: 'created' | 'updated' | 'consent_withdrawn'; created_at: Timestamp; disabled_at: TimestampNull }
export interface LegalHoldsTable { tenant_id: string; id: string; subject_id: string | null; collection: string | null; reason: string; created_at: Timestamp; released_at: TimestampNull }
export interface RetentionRunsTable { tenant_id: string; id: string; started_at: Timestamp; finished_at: Timestamp; records_erased: number; fields_erased: number; subjects_shredded: number; held_skipped: number; details: Json<Record<string, unknown>> }
export interface JobsTable { tenant_id: string; id: string; kind: string; state: Generated<string>; run_at: Timestamp; attempts: Generated<number>; locked_until: TimestampNull; last_error: string | null; result: Json<Record<string, unknown> | null> | null; created_at: Timestamp; finished_at: TimestampNull }
export interface BackupDrillsTable { tenant_id: string; id: string; backup_id: string; file: string; at: Timestamp; ok: boolean; duration_ms: number; rows_checked: number; tables: Json<Record<string, unknown>>; problem: string | null }

// 0007_assessments_sharing (issue 10)
type DateCol = ColumnType<string, string, string>;
type DateNull = ColumnType<string | null, string | null | undefined, string | null>;
export interface ComplianceSettingsTable { tenant_id: string; risk_matrix: Json<unknown> | null; transfer_rules: Json<unknown> | null; complaint_sla_working_days: number | null; updated_at: Timestamp }
export interface AssessmentsTable {
  tenant_id: string; id: string; title: string; activity: string; triggers: Json<string[]>; state: Generated<string>; answers: Json<Record<string, unknown>>; risk_sources: Json<unknown[]>; matrix: Json<unknown>;
  overall_level: string | null; created_by: string; submitted_by: string | null; submitted_at: TimestampNull; decided_by: string | null; decided_at: TimestampNull; decision_note: string | null;
  locked_until: DateNull; next_review: DateNull; superseded_by: string | null; created_at: Timestamp; updated_at: Timestamp;
}
export interface RisksTable {
  tenant_id: string; id: string; title: string; description: string | null; source: Generated<string>; assessment_id: string | null; owner: string; department: string | null; likelihood: number; impact: number; score: number; level: string;
  treatment: string; treatment_plan: string | null; due_date: DateNull; status: Generated<string>; review_interval_days: number; next_review: DateCol; last_reviewed_at: TimestampNull; flag: string | null; created_at: Timestamp; updated_at: Timestamp; closed_at: TimestampNull;
}
export interface RiskReviewsTable { tenant_id: string; id: string; risk_id: string; at: Timestamp; reviewer: string; note: string | null; likelihood: number; impact: number; status: string }
export interface ThirdPartiesTable {
  tenant_id: string; id: string; name: string; kind: 'entrusted' | 'handler' | 'joint'; uscc: string | null; country: string; address: string | null; contacts: Json<unknown[]>; screening: Json<Record<string, unknown>> | null; screening_result: string | null;
  screened_at: TimestampNull; screened_by: string | null; public_key: string | null; key_algorithm: string | null; key_fingerprint: string | null; review_due: DateNull; state: Generated<string>; flag: string | null; created_at: Timestamp; updated_at: Timestamp;
}
export interface ThirdPartyContractsTable {
  tenant_id: string; id: string; third_party_id: string; reference: string; purpose: string; processing_method: string; pi_types: Json<unknown[]>; start_date: DateCol; end_date: DateCol; protection_duties: string; end_of_term: string; sub_entrusting: boolean; signed_at: DateNull;
  state: Generated<string>; ended_at: TimestampNull; end_reason: string | null; deletion_requested_at: TimestampNull; deletion_due: DateNull; deletion_confirmed_at: TimestampNull; deletion_evidence: string | null; flag: string | null; created_at: Timestamp; updated_at: Timestamp;
}
export interface ShareChannelsTable { tenant_id: string; id: string; name: string; third_party_id: string; contract_id: string; kind: 'export' | 'api'; purpose: string; collection: string; fields: Json<string[]>; separate_consent_purpose: string | null; state: Generated<string>; created_at: Timestamp }
export interface SharesTable {
  tenant_id: string; id: string; channel_id: string; third_party_id: string; contract_id: string; purpose: string; collection: string; fields: Json<string[]>; records: number; subjects: number; refused: number;
  algorithm: string; key_fingerprint: string; payload_sha256: string; actor_type: string; actor_id: string; created_at: Timestamp;
}
export interface ShareSubjectsTable { tenant_id: string; share_id: string; record_id: string; subject_id: string }
export interface TransferVolumesTable { tenant_id: string; year: number; non_sensitive: number; sensitive: number }
export interface CrossBorderTransfersTable {
  tenant_id: string; id: string; year: number; transfer_date: DateCol; destination_country: string; recipient: string; mode: Generated<string>; third_party_id: string | null; purpose: string; pi_types: Json<string[]>; non_sensitive: number; sensitive: number;
  cumulative_non_sensitive: number; cumulative_sensitive: number; required_route: string; route: string; route_ref: string | null; filing_date: DateNull; contract_effective_date: DateNull; exemption_ground: string | null;
  legal_basis: string; consent_purpose: string | null; assessment_id: string; alerts: Json<unknown[]>; created_by: string; created_at: Timestamp;
}
export interface ComplaintsTable {
  tenant_id: string; id: string; kind: 'complaint' | 'report'; channel: string; category: string; summary: string; anonymous: boolean; subject_id: string | null; contact: string | null; contact_sealed: Buffer | null; contact_masked: string | null; state: Generated<string>; assignee: string | null;
  received_at: Timestamp; sla_due: DateCol; due_basis: Generated<string>; flag: string | null; first_reply_at: TimestampNull; closed_at: TimestampNull; resolution: string | null; feedback: string | null; feedback_note: string | null; updated_at: Timestamp;
}
export interface ComplaintMessagesTable { tenant_id: string; id: string; complaint_id: string; direction: 'inbound' | 'outbound' | 'note'; body: string | null; body_sealed: Buffer | null; author: string | null; at: Timestamp }

// 0006_incidents (issue 9)
export interface IncidentSettingsTable { tenant_id: string; settings: Json<Record<string, unknown>>; updated_at: Timestamp }
export interface AnomalyRulesTable { tenant_id: string; rule: string; enabled: Generated<boolean>; params: Json<Record<string, unknown>>; exempt_actors: Json<string[]>; updated_at: Timestamp }
export interface AnomalyCursorsTable { tenant_id: string; last_seq: number; events_seen: number; last_event_at: TimestampNull; updated_at: Timestamp }
export interface AnomalyActorsTable {
  tenant_id: string; actor_id: string; actor_type: string; first_seen: Timestamp; last_seen: Timestamp; events: number; networks: Json<string[]>;
  sens_bucket: TimestampNull; sens_count: number; sens_mean: number; sens_var: number; sens_buckets: number; window_state: Json<Record<string, unknown>>;
}
export interface ResponsePlansTable { tenant_id: string; kind: string; version: number; title: string; roles: Json<unknown[]>; contacts: Json<unknown[]>; steps: Json<unknown[]>; notes: string | null; created_by: string; created_at: Timestamp }
export interface IncidentsTable {
  tenant_id: string; id: string; title: string; kind: string; state: Generated<string>; detected_at: Timestamp; occurred_from: TimestampNull; occurred_to: TimestampNull;
  description: string | null; cause: string | null; harm: string | null; remedies: string | null; subject_actions: string | null; contact: string | null;
  affected_count: Generated<number>; sensitive_count: Generated<number>; scope: Json<Record<string, unknown> | null> | null; scoped_at: TimestampNull;
  grade: Generated<string>; grade_override: string | null; grade_reason: string | null; report_due_at: TimestampNull; report_filed_at: TimestampNull; report_reference: string | null;
  plan_version: number | null; checklist: Json<unknown[]>; notify: Json<Record<string, unknown> | null> | null; review: Json<Record<string, unknown> | null> | null;
  closed_at: TimestampNull; summary_due_at: TimestampNull; summary_filed_at: TimestampNull; flag: string | null; drill: Generated<boolean>; created_by: string; created_at: Timestamp; updated_at: Timestamp;
}
export interface AlertsTable {
  tenant_id: string; id: string; rule: string; severity: string; actor_type: string; actor_id: string; state: Generated<string>; window_start: Timestamp; window_end: Timestamp;
  event_count: number; evidence: Json<number[]>; summary: Json<Record<string, unknown>>; first_seq: number; last_seq: number; handled_by: string | null; handled_at: TimestampNull;
  reason: string | null; incident_id: string | null; created_at: Timestamp; updated_at: Timestamp;
}
export interface IncidentTimelineTable { tenant_id: string; id: string; incident_id: string; at: Timestamp; actor_type: string; actor_id: string; entry: string; note: string | null; details: Json<Record<string, unknown> | null> | null }
/** A view over the two tables below (migration 0015): one row per affected subject. */
export interface IncidentSubjectsTable { tenant_id: string; incident_id: string; subject_id: string; types: string[]; sensitive: boolean; events: number }
export interface IncidentSubjectKindsTable { tenant_id: string; incident_id: string; kind: string; types: string[]; sensitive: boolean; subjects: string }
export interface IncidentSubjectChunksTable { tenant_id: string; incident_id: string; chunk: number; subject_ids: string[]; kinds: string[]; events: number[]; subjects: number; sensitive: number }
export interface IncidentNotificationsTable {
  tenant_id: string; incident_id: string; subject_id: string; channel: string; language: string; state: Generated<string>; attempts: Generated<number>; next_attempt_at: Timestamp;
  last_error: string | null; sent_at: TimestampNull; message_ref: string | null; body: string; created_at: Timestamp;
}
export interface IncidentSinksTable { tenant_id: string; id: string; kind: string; target: string; secret_sealed: Buffer | null; enabled: Generated<boolean>; last_error: string | null; last_sent_at: TimestampNull; created_at: Timestamp }
export interface IncidentPushesTable { tenant_id: string; id: string; sink_id: string; event: Json<Record<string, unknown>>; state: Generated<string>; attempts: Generated<number>; next_attempt_at: Timestamp; last_error: string | null; created_at: Timestamp; sent_at: TimestampNull }
export interface IncidentDrillsTable { tenant_id: string; id: string; scenario: string; scheduled: Generated<boolean>; started_at: Timestamp; finished_at: Timestamp; ok: boolean; duration_ms: number; steps: Json<unknown[]>; result: Json<Record<string, unknown>>; problem: string | null; started_by: string }

// 0009_compliance (issue 11)
type JsonNull<T> = ColumnType<T | null, string | null | undefined, string | null>;
// (DateCol is declared above)
export interface InstallationKeysTable { id: string; algorithm: string; public_key: string; fingerprint: string; private_sealed: Buffer; created_at: Timestamp; retired_at: TimestampNull }
export interface TenantDeregistrationsTable {
  tenant_id: string; id: string; state: 'requested' | 'approved' | 'destroyed' | 'cancelled'; reason: string; requested_by: string; requested_at: Timestamp;
  supervisor: JsonNull<Record<string, unknown>>; archive: Json<unknown[]>; approved_by: string | null; approved_at: TimestampNull; approval_note: string | null;
  notice: JsonNull<Record<string, unknown>>; noticed_at: TimestampNull; executed_by: string | null; started_at: TimestampNull; destroyed_at: TimestampNull;
  result: JsonNull<Record<string, unknown>>; certificate: JsonNull<Record<string, unknown>>; certificate_id: string | null; cancelled_by: string | null; cancelled_at: TimestampNull;
}
export interface ComplianceProfileTable { tenant_id: string; handler: JsonNull<Record<string, unknown>>; officer: JsonNull<Record<string, unknown>>; minors: Generated<boolean>; updated_at: Timestamp }
export interface ComplianceAuditsTable {
  tenant_id: string; id: string; title: string; kind: 'internal' | 'external'; firm: string | null; period_from: DateCol; period_to: DateCol; state: Generated<'open' | 'completed'>;
  created_by: string; created_at: Timestamp; collected_at: TimestampNull; completed_by: string | null; completed_at: TimestampNull; conclusion: string | null;
}
export interface ComplianceAuditItemsTable { tenant_id: string; audit_id: string; key: string; status: string; evidence: JsonNull<Record<string, unknown>>; note: string | null; answered_by: string | null; answered_at: TimestampNull }
export interface ComplianceAttachmentsTable { tenant_id: string; id: string; audit_id: string; item_key: string; filename: string; content_type: string; size: number; sha256: string; data: Buffer; created_by: string; created_at: Timestamp }
export interface ReportsTable { tenant_id: string; id: string; kind: 'management' | 'transparency'; period_from: ColumnType<string | null, string | null | undefined, string | null>; period_to: ColumnType<string | null, string | null | undefined, string | null>; content: Json<Record<string, unknown>>; created_by: string; created_at: Timestamp; published_at: TimestampNull }
export interface AuditorEngagementsTable { tenant_id: string; id: string; firm: string; auditor_name: string; api_key_id: string; expires_at: Timestamp; created_by: string; created_at: Timestamp; revoked_at: TimestampNull }
export interface PrivacyBudgetsTable { tenant_id: string; epsilon_total: number; updated_at: Timestamp }
export interface PrivacyBudgetLedgerTable { tenant_id: string; id: string; epsilon: number; label: string; query: Json<Record<string, unknown>>; actor_id: string; at: Timestamp }
// 0014_tenant_backup_keys (ADR 0013): never written into a backup
export interface TenantBackupKeysTable { tenant_id: string; version: number; wrapped: Buffer | null; created_at: Timestamp; retired_at: TimestampNull; destroyed_at: TimestampNull; reason: string | null }
export interface PaillierKeysTable { tenant_id: string; id: string; bits: number; public_n: string; private_sealed: Buffer; created_at: Timestamp }

export interface TrainingCoursesTable { tenant_id: string; id: string; title: string; content: string; quiz: Json<Array<{ question: string; options: string[]; answer: number }>>; pass_score: number; validity_days: number; roles: Json<string[]>; created_by: string; created_at: Timestamp; retired_at: TimestampNull }
export interface TrainingAttemptsTable { tenant_id: string; id: string; course_id: string; staff_id: string; score: number; passed: boolean; at: Timestamp }
export interface AccountabilityRecordsTable { tenant_id: string; id: string; staff_id: string; source: 'incident' | 'audit' | 'other'; source_ref: string | null; description: string; measure: string; measure_detail: string | null; created_by: string; created_at: Timestamp }

export interface Database {
  // issue 10
  compliance_settings: ComplianceSettingsTable;
  assessments: AssessmentsTable;
  risks: RisksTable;
  risk_reviews: RiskReviewsTable;
  third_parties: ThirdPartiesTable;
  third_party_contracts: ThirdPartyContractsTable;
  share_channels: ShareChannelsTable;
  shares: SharesTable;
  share_subjects: ShareSubjectsTable;
  transfer_volumes: TransferVolumesTable;
  cross_border_transfers: CrossBorderTransfersTable;
  complaints: ComplaintsTable;
  complaint_messages: ComplaintMessagesTable;
  // issue 9
  incident_settings: IncidentSettingsTable;
  anomaly_rules: AnomalyRulesTable;
  anomaly_cursors: AnomalyCursorsTable;
  anomaly_actors: AnomalyActorsTable;
  response_plans: ResponsePlansTable;
  incidents: IncidentsTable;
  alerts: AlertsTable;
  incident_timeline: IncidentTimelineTable;
  incident_subjects: IncidentSubjectsTable;
  incident_subject_kinds: IncidentSubjectKindsTable;
  incident_subject_chunks: IncidentSubjectChunksTable;
  incident_notifications: IncidentNotificationsTable;
  incident_sinks: IncidentSinksTable;
  incident_pushes: IncidentPushesTable;
  incident_drills: IncidentDrillsTable;
  training_courses: TrainingCoursesTable;
  training_attempts: TrainingAttemptsTable;
  accountability_records: AccountabilityRecordsTable;
  installation_keys: InstallationKeysTable;
  tenant_deregistrations: TenantDeregistrationsTable;
  compliance_profile: ComplianceProfileTable;
  compliance_audits: ComplianceAuditsTable;
  compliance_audit_items: ComplianceAuditItemsTable;
  compliance_attachments: ComplianceAttachmentsTable;
  reports: ReportsTable;
  auditor_engagements: AuditorEngagementsTable;
  privacy_budgets: PrivacyBudgetsTable;
  privacy_budget_ledger: PrivacyBudgetLedgerTable;
  paillier_keys: PaillierKeysTable;
  tenant_backup_keys: TenantBackupKeysTable;
  rights_requests: RightsRequestsTable;
  subject_instructions: SubjectInstructionsTable;
  retention_rules: RetentionRulesTable;
  legal_holds: LegalHoldsTable;
  retention_runs: RetentionRunsTable;
  jobs: JobsTable;
  backup_drills: BackupDrillsTable;
  notices: NoticesTable;
  consents: ConsentsTable;
  consent_events: ConsentEventsTable;
  consent_settings: ConsentSettingsTable;
  activities: ActivitiesTable;
  activity_purposes: ActivityPurposesTable;
  activity_revisions: ActivityRevisionsTable;
  tenants: TenantsTable;
  tenant_keys: TenantKeysTable;
  subjects: SubjectsTable;
  collections: CollectionsTable;
  records: RecordsTable;
  blind_index: BlindIndexTable;
  erasure_ledger: ErasureLedgerTable;
  purposes: PurposesTable;
  roles: RolesTable;
  api_keys: ApiKeysTable;
  staff: StaffTable;
  sessions: SessionsTable;
  trainings: TrainingsTable;
  subject_restrictions: SubjectRestrictionsTable;
  audit_heads: AuditHeadsTable;
  audit_events: AuditEventsTable;
  signing_keys: SigningKeysTable;
  audit_checkpoints: AuditCheckpointsTable;
  portal_challenges: PortalChallengesTable;
  portal_sessions: PortalSessionsTable;
}
