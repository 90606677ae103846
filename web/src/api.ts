/**
 * The console's HTTP client. Two ways to be signed in: a staff session (HttpOnly cookie set by
 * /api/v1/auth/login; unsafe requests carry x-csrf-token) or, as a developer fallback, an API key kept in
 * sessionStorage only. Errors are the server's problem+json, thrown as ApiError.
 */
export interface Problem { status: number; code: string; title?: string; detail: string; detail_zh?: string; errors?: Array<{ field?: string; reason?: string }> }

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) { super(problem.detail); }
  get code() { return this.problem.code; }
  /** The message in the console's language. */
  text(lang: 'zh' | 'en'): string { return (lang === 'zh' ? this.problem.detail_zh : undefined) ?? this.problem.detail; }
}

const KEY_STORE = 'custodian.apiKey';
/** The CSRF token of the staff session (the session itself is an HttpOnly cookie); shared by the tabs. */
const CSRF_STORE = 'custodian.csrf';
type Auth = { kind: 'key'; key: string } | { kind: 'session'; csrf: string } | null;
let auth: Auth = null;
let unauthorized: () => void = () => undefined;

try {
  const k = sessionStorage.getItem(KEY_STORE);
  const c = localStorage.getItem(CSRF_STORE);
  if (k) auth = { kind: 'key', key: k };
  else if (c) auth = { kind: 'session', csrf: c };
} catch { /* storage disabled */ }

export function storedKey(): string | null { return auth?.kind === 'key' ? auth.key : null; }
export function storedCsrf(): string | null { return auth?.kind === 'session' ? auth.csrf : null; }
export function setApiKey(key: string | null) {
  auth = key ? { kind: 'key', key } : null;
  try { if (key) sessionStorage.setItem(KEY_STORE, key); else sessionStorage.removeItem(KEY_STORE); } catch { /* ignore */ }
}
export function setSession(csrf: string) {
  auth = { kind: 'session', csrf };
  try { sessionStorage.removeItem(KEY_STORE); localStorage.setItem(CSRF_STORE, csrf); } catch { /* ignore */ }
}
export function clearAuth() {
  setApiKey(null);
  try { localStorage.removeItem(CSRF_STORE); } catch { /* ignore */ }
}
export function onUnauthorized(fn: () => void) { unauthorized = fn; }

export interface CallOpts { signal?: AbortSignal; /** Do not sign out on 401 (sign-in calls). */ quiet401?: boolean }

export async function call<T = unknown>(method: string, path: string, body?: unknown, opts: CallOpts = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth?.kind === 'key') headers.authorization = `Bearer ${auth.key}`;
  if (auth?.kind === 'session' && method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = auth.csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { status: 0, code: 'network', detail: 'The server could not be reached', detail_zh: '无法连接服务器' });
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) { try { data = JSON.parse(text); } catch { data = undefined; } }
  if (!res.ok) {
    const p = (data && typeof data === 'object' ? data : {}) as Partial<Problem>;
    const err = new ApiError(res.status, { status: res.status, code: p.code ?? `http.${res.status}`, detail: p.detail ?? `HTTP ${res.status}`, detail_zh: p.detail_zh, errors: p.errors, title: p.title });
    if (res.status === 401 && !opts.quiet401) unauthorized();
    throw err;
  }
  return data as T;
}

export const get = <T>(path: string, opts?: CallOpts) => call<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body?: unknown, opts?: CallOpts) => call<T>('POST', path, body ?? {}, opts);
export const patch = <T>(path: string, body: unknown, opts?: CallOpts) => call<T>('PATCH', path, body, opts);
export const del = <T>(path: string, opts?: CallOpts) => call<T>('DELETE', path, undefined, opts);
export const put = <T>(path: string, body: unknown, opts?: CallOpts) => call<T>('PUT', path, body, opts);

/** A file from the API (exports, attachments) with the same credentials as call(). */
export async function fetchFile(path: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (auth?.kind === 'key') headers.authorization = `Bearer ${auth.key}`;
  const res = await fetch(`/api/v1${path}`, { headers, credentials: 'same-origin' });
  if (!res.ok) {
    let p: Partial<Problem> = {};
    try { p = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, { status: res.status, code: p.code ?? `http.${res.status}`, detail: p.detail ?? `HTTP ${res.status}`, detail_zh: p.detail_zh });
  }
  return res.blob();
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

// ---------- shapes returned by the server ----------
export interface Field { name: string; type: string; category: string; sensitive: boolean; searchable: boolean; title?: string | null; grade?: string | null }
export interface Collection { name: string; title: string | null; fields: Field[] }
export interface Purpose { name: string; title: string; title_en?: string | null; legal_basis: string; description?: string | null; requires_training?: boolean; automated_decision?: boolean; reconsent_mode?: string }
export interface Grant { collection: string; fields: string[]; actions: string[]; purposes: string[]; view: 'plain' | 'masked' }
export interface Role { name: string; title: string | null; grants: Grant[]; permissions: string[]; builtin?: boolean }
export interface ApiKeyRow { id: string; name: string; roles: string[]; created_at: string; expires_at: string | null; revoked_at: string | null }
export interface AuditEvent { seq: number; id: string; at: string; actor_type: string; actor_id: string; action: string; decision: 'allow' | 'deny'; purpose: string | null; subject_id: string | null; collection: string | null; record_id: string | null; fields: string[] | null; reason: string | null; client_ip: string | null; request_id: string | null; details: Record<string, unknown> | null }
export interface VerifyResult { ok: boolean; events: number; checkpoints: number; brokenAt?: number; problem?: string }
export interface PurposeScope { manner: string | null; categories: string[]; fields: string[]; sensitive: boolean; sensitive_fields: string[]; retention: string | null; retention_days: number | null; recipients: Array<{ name: string; kind: string; country: string | null }>; cross_border: Array<{ recipient: string; country: string | null }> }
export interface Notice { name: string; version: number; language: string; sha256: string; purposes: string[]; material_change: boolean; changed_purposes?: string[]; compared_with?: number | null; complete?: boolean; missing_sections?: string[]; declares?: Record<string, PurposeScope>; created_at: string }
export interface Consent { subject_id?: string; purpose: string; state: string; notice: string; notice_version: number; channel: string; separate: boolean; evidence?: string | null; guardian: string | null; guardian_relation?: string | null; guardian_subject_id?: string | null; minor?: boolean; age_source?: string | null; needs_reconsent: boolean; reconsent_since?: number | null; granted_at: string; withdrawn_at: string | null }
export interface RecordView { id: string; subject_id: string; fields: Record<string, unknown> }
export interface Staff { id: string; username: string; display_name: string; roles: string[]; permissions?: string[]; email?: string | null; created_at?: string; disabled_at?: string | null; last_login_at?: string | null; totp_enabled?: boolean; locked_until?: string | null }
export interface Finding { type: string; start: number; end: number; line: number; column: number; score: number; preview: string; location?: { sheet?: string; cell?: string; path?: string } }
export interface DsRequest { id: string; subject_id: string; kind: string; state: string; due: string; created_at?: string; overdue?: boolean; [k: string]: unknown }
