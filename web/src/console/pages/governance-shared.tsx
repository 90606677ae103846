/** Shared pieces of the issue-10 pages: level colours, binary downloads (server lists: ../server-list.tsx). */
import { Tag } from 'antd';
import { ApiError, storedKey } from '../../api';
import { download } from '../ui';

export const LEVEL_COLORS: Record<string, string> = { low: 'green', medium: 'gold', high: 'orange', critical: 'red' };
export const LEVEL_BG: Record<string, string> = { low: '#d9f7be', medium: '#fff1b8', high: '#ffd8bf', critical: '#ffccc7' };

export function LevelTag({ level, label }: { level: string | null | undefined; label?: string }) {
  if (!level) return <span>—</span>;
  return <Tag color={LEVEL_COLORS[level] ?? 'default'}>{label ?? level}</Tag>;
}

/** GET a binary file (report) with the console's credentials and save it. */
export async function downloadFile(path: string, filename: string) {
  const key = storedKey();
  const res = await fetch(`/api/v1${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {}, credentials: 'same-origin' });
  if (!res.ok) {
    const p = await res.json().catch(() => ({}));
    throw new ApiError(res.status, { status: res.status, code: p.code ?? `http.${res.status}`, detail: p.detail ?? `HTTP ${res.status}`, detail_zh: p.detail_zh, errors: p.errors });
  }
  download(filename, await res.arrayBuffer(), res.headers.get('content-type') ?? 'application/octet-stream');
}
