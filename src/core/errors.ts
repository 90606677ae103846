/**
 * The one error type of Custodian. Every refusal carries an HTTP status, a stable machine `code`
 * (e.g. `vault.field_invalid`), a message in zh-CN and en, and optional details that never hold PI.
 */
export interface ProblemDetail {
  field?: string;
  reason?: string;
  index?: number;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  readonly details?: ProblemDetail[];
  readonly headers?: Record<string, string>;

  constructor(status: number, code: string, zh: string, en: string, details?: ProblemDetail[], headers?: Record<string, string>) {
    super(en);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.zh = zh;
    this.en = en;
    this.details = details;
    this.headers = headers;
  }
}

export const badRequest = (code: string, zh: string, en: string, details?: ProblemDetail[]) => new AppError(400, code, zh, en, details);
export const unauthorized = (code = 'auth.unauthenticated', zh = '未认证或凭据无效', en = 'Missing or invalid credentials') => new AppError(401, code, zh, en);
export const forbidden = (code: string, zh: string, en: string, details?: ProblemDetail[]) => new AppError(403, code, zh, en, details);
export const notFound = (code: string, zh: string, en: string) => new AppError(404, code, zh, en);
export const conflict = (code: string, zh: string, en: string, details?: ProblemDetail[]) => new AppError(409, code, zh, en, details);
export const gone = (code: string, zh: string, en: string) => new AppError(410, code, zh, en);
export const unavailable = (code: string, zh: string, en: string, retryAfterSeconds = 5) =>
  new AppError(503, code, zh, en, undefined, { 'retry-after': String(retryAfterSeconds) });

/** A field of the input is invalid: 422 problem naming the field and the reason. */
export function invalidField(field: string, reasonZh: string, reasonEn: string, extra: Omit<ProblemDetail, 'field' | 'reason'> = {}): AppError {
  return new AppError(422, 'validation.field_invalid', `字段 ${field} ${reasonZh}`, `Field ${field} ${reasonEn}`, [{ field, reason: reasonEn, ...extra }]);
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
