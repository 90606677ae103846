/** Data-subject requests (个人信息权利请求, PIPL Art. 44-50). */
export const REQUEST_KINDS = ['access', 'copy', 'portability', 'correction', 'supplement', 'deletion', 'restriction', 'explanation', 'withdrawal', 'account_cancellation', 'deceased_relative'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const REQUEST_STATES = ['received', 'verifying', 'in_progress', 'completed', 'rejected'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const OPEN_STATES: RequestState[] = ['received', 'verifying', 'in_progress'];
/** What a next of kin asks for on behalf of a deceased person (PIPL Art. 49). */
export const RELATIVE_ACTIONS = ['access', 'copy', 'correction', 'deletion'] as const;
export type RelativeAction = (typeof RELATIVE_ACTIONS)[number];
export const VERIFICATION_METHODS = ['id_document', 'sms_code', 'account_login', 'in_person', 'video_call', 'relationship_proof', 'other'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

export interface Requester { name?: string; relationship?: string; contact?: string }
export interface CreateRequestInput { subject_id: string; kind: RequestKind; action?: RelativeAction; requester?: Requester; note?: string }
export interface Verification { method: VerificationMethod; result: 'passed' | 'failed'; note?: string }
export interface RecordChange { collection: string; record_id: string; fields: Record<string, unknown> }
export interface TransitionInput {
  to: Exclude<RequestState, 'received'>;
  verification?: Verification;
  reason?: string;
  changes?: RecordChange[];
  purposes?: string[];
  explanation?: string;
}
export interface ListRequestsInput { state?: RequestState; kind?: RequestKind; subject_id?: string; overdue?: boolean; due_before?: string; limit?: number; offset?: number }

/** The kind a request effectively has: a relative's request acts like the action asked for. */
export function effectiveKind(kind: RequestKind, action?: string | null): RequestKind {
  return kind === 'deceased_relative' ? ((action as RequestKind | undefined) ?? 'access') : kind;
}
export const EXPORT_KINDS = new Set<RequestKind>(['access', 'copy', 'portability']);
