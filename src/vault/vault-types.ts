import type { Category, FieldType } from '../core/pi-types.js';

export interface FieldDef { name: string; type: FieldType; category: Category; sensitive: boolean; searchable: boolean; title?: string; grade?: 'general' | 'important' | 'core' }
export interface Collection { id: string; name: string; title: string | null; fields: FieldDef[] }
export interface FieldInput { name: string; type: FieldType; category?: Category; sensitive?: boolean; searchable?: boolean; title?: string; grade?: 'general' | 'important' | 'core' }
export interface CreateCollectionInput { name: string; title?: string; fields: FieldInput[] }
export interface RecordInput { subject_id?: string; fields: Record<string, unknown>; /** Consents given at collection, recorded in the same transaction. */ consents?: unknown[] }
export interface ReadInput { collection: string; id: string; purpose: string; fields?: string[] }
export interface SearchInput { collection: string; field: string; value: unknown; purpose: string; fields?: string[]; limit?: number; /** Matches to skip (a later page); newest record first unless order is asc. */ offset?: number; order?: 'asc' | 'desc' }
export interface RecordView { id: string; subject_id: string; fields: Record<string, string | number | boolean>; /** e.g. `reconsent_pending` when the purpose warns instead of blocking. */ warnings?: string[] }
/** Records one consent of a record write inside its transaction (wired to the consent service); throws to refuse the whole write. */
export type ConsentRecorder = (tx: import('../db/connection.js').Tx, actor: import('../audit/index.js').Actor, subjectId: string, consent: unknown, ctx: { path: string; birthDate: string | null }) => Promise<unknown>;
