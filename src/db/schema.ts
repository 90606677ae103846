/** Table types for the typed query layer (Kysely). Mirrors migrations/; bytea is Buffer, int8 is number. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable { id: string; name: string; suite: 'aes' | 'sm'; state: Generated<string>; kek_version: number; index_key_wrapped: Buffer; created_at: Timestamp }
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
  tenant_id: string; seq: number; id: string; at: Timestamp; actor_type: string; actor_id: string; action: string; decision: string;
  purpose: string | null; subject_id: string | null; collection: string | null; record_id: string | null; fields: Json<string[] | null> | null;
  reason: string | null; client_ip: string | null; request_id: string | null; details: Json<Record<string, unknown> | null> | null; prev_hash: Buffer; hash: Buffer;
}
export interface SigningKeysTable { tenant_id: string; id: string; algorithm: string; public_key: string; private_sealed: Buffer; created_at: Timestamp }
export interface AuditCheckpointsTable { tenant_id: string; seq: number; hash: Buffer; signature: Buffer; key_id: string; at: Timestamp }

export interface NoticesTable { tenant_id: string; name: string; version: number; language: string; text: string; sha256: string; purposes: Json<string[]>; material_change: Generated<boolean>; created_at: Timestamp }
export interface ConsentsTable { tenant_id: string; subject_id: string; purpose: string; state: 'granted' | 'withdrawn'; notice: string; notice_version: number; channel: string; separate: Generated<boolean>; evidence: string | null; guardian: string | null; needs_reconsent: Generated<boolean>; granted_at: Timestamp; withdrawn_at: TimestampNull }
export interface ConsentEventsTable { tenant_id: string; id: string; subject_id: string; purpose: string; event: string; notice: string | null; notice_version: number | null; channel: string | null; separate: boolean | null; evidence: string | null; guardian: string | null; at: Timestamp }

// 0004_rights_backup
export interface RightsRequestsTable {
  tenant_id: string; id: string; subject_id: string; kind: string; state: Generated<string>; received_at: Timestamp; due: ColumnType<string, string, string>; due_basis: Generated<string>;
  requester: Json<Record<string, unknown> | null> | null; details: Json<Record<string, unknown> | null> | null; verification_method: string | null; verification_result: string | null; verified_at: TimestampNull;
  reason: string | null; resolution: Json<Record<string, unknown> | null> | null; flag: string | null; flagged_at: TimestampNull; export_expires_at: TimestampNull; exported_at: TimestampNull; closed_at: TimestampNull; updated_at: Timestamp;
}
export interface SubjectInstructionsTable { tenant_id: string; subject_id: string; relatives: 'allow' | 'deny'; note: string | null; created_at: Timestamp }
export interface RetentionRulesTable { tenant_id: string; id: string; name: string; collection: string; field: string | null; purpose: string | null; period_days: number; anchor: 'created' | 'updated' | 'consent_withdrawn'; created_at: Timestamp; disabled_at: TimestampNull }
export interface LegalHoldsTable { tenant_id: string; id: string; subject_id: string | null; collection: string | null; reason: string; created_at: Timestamp; released_at: TimestampNull }
export interface RetentionRunsTable { tenant_id: string; id: string; started_at: Timestamp; finished_at: Timestamp; records_erased: number; fields_erased: number; subjects_shredded: number; held_skipped: number; details: Json<Record<string, unknown>> }
export interface JobsTable { tenant_id: string; id: string; kind: string; state: Generated<string>; run_at: Timestamp; attempts: Generated<number>; locked_until: TimestampNull; last_error: string | null; result: Json<Record<string, unknown> | null> | null; created_at: Timestamp; finished_at: TimestampNull }
export interface BackupDrillsTable { tenant_id: string; id: string; backup_id: string; file: string; at: Timestamp; ok: boolean; duration_ms: number; rows_checked: number; tables: Json<Record<string, unknown>>; problem: string | null }

export interface Database {
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
}
