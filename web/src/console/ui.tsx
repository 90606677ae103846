/** Shared pieces: data loading with designed loading / empty / error states. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Empty, Result, Typography } from 'antd';
import { ApiError } from '../api';
import { useLang } from '../i18n';

export function useLoad<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    fnRef.current(ac.signal).then((d) => { if (!ac.signal.aborted) { setData(d); setLoading(false); } })
      .catch((e) => { if (!ac.signal.aborted) { setError(e); setLoading(false); } });
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick, ...deps]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}

export function useErrorText() {
  const { lang, tr } = useLang();
  return (e: unknown): string => {
    if (e instanceof ApiError) {
      const fields = (e.problem.errors ?? []).filter((x) => x.field).map((x) => `${x.field}: ${x.reason}`);
      return e.text(lang) + (fields.length > 1 ? ` (${fields.join('; ')})` : '');
    }
    return tr('发生未知错误', 'Something went wrong') + (e instanceof Error ? `: ${e.message}` : '');
  };
}

export const isMissingRoute = (e: unknown) => e instanceof ApiError && e.status === 404 && e.code === 'route.not_found';
export const isForbidden = (e: unknown) => e instanceof ApiError && e.status === 403;

/** A full-width error state for a list or page, with a retry button. */
export function ErrorState({ error, onRetry, compact }: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  const { tr } = useLang();
  const text = useErrorText();
  if (isForbidden(error)) {
    return <Result status="403" title={tr('没有权限', 'Not permitted')} subTitle={text(error)} />;
  }
  if (compact) return <Alert type="error" showIcon message={text(error)} action={onRetry ? <Button size="small" onClick={onRetry}>{tr('重试', 'Retry')}</Button> : undefined} />;
  return (
    <Result status="error" title={tr('加载失败', 'Could not load')} subTitle={text(error)}
      extra={onRetry ? <Button type="primary" onClick={onRetry}>{tr('重试', 'Retry')}</Button> : undefined} />
  );
}

export function EmptyState({ title, hint, action }: { title: string; hint?: string; action?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<><div>{title}</div>{hint ? <Typography.Text type="secondary">{hint}</Typography.Text> : null}</>}>
      {action}
    </Empty>
  );
}

export function fmtTime(s: string | null | undefined, lang: 'zh' | 'en'): string {
  if (!s) return '—';
  const d = new Date(s);
  return isNaN(d.getTime()) ? s : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
}

export function download(filename: string, data: BlobPart, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url; a.download = filename;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
