/**
 * The portal's HTTP client. The session is an HttpOnly cookie scoped to /api/v1/portal; its CSRF token is
 * kept in sessionStorage (this tab) and sent on every change. Errors are the server's problem+json.
 */
import { ApiError, type Problem } from '../api';

const CSRF = 'custodian.portal.csrf';
let csrf: string | null = null;
try { csrf = sessionStorage.getItem(CSRF); } catch { /* storage disabled */ }

export function setCsrf(v: string | null) {
  csrf = v;
  try { if (v) sessionStorage.setItem(CSRF, v); else sessionStorage.removeItem(CSRF); } catch { /* ignore */ }
}

export async function portalCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1/portal${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { status: 0, code: 'network', detail: 'The server could not be reached', detail_zh: '无法连接服务器' });
  }
  const text = await res.text();
  let data: unknown;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = undefined; }
  if (!res.ok) throw new ApiError(res.status, (data as Problem) ?? { status: res.status, code: 'http', detail: res.statusText });
  return data as T;
}

export interface MaskedField { name: string; label_zh: string; label_en: string; type: string; sensitive: boolean; value: string }
export interface MeView { collections: Array<{ name: string; title: string | null; records: Array<{ id: string; updated_at: string; fields: MaskedField[] }> }> }
export interface ConsentView { purpose: string; title: string; title_en: string | null; state: 'granted' | 'withdrawn'; notice: string | null; notice_version: number | null; granted_at: string | null; withdrawn_at: string | null }
export interface RequestView { id: string; kind: string; state: string; received_at: string; due: string; working_days_left: number | null; overdue: boolean; reason: string | null; resolution: string | null; closed_at: string | null }
export interface ComplaintView { id: string; category: string; summary: string; state: string; received_at: string; sla_due: string; closed_at: string | null; resolution: string | null; replies: Array<{ at: string; body: string }> }
