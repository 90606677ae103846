/** zh-CN first, en second: a small message dictionary plus antd's locale, the choice kept in localStorage. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import type { L } from './labels';

export type Lang = 'zh' | 'en';
export type Messages = Record<string, L>;
const KEY = 'custodian.lang';

function initial(): Lang {
  try { const v = localStorage.getItem(KEY); if (v === 'zh' || v === 'en') return v; } catch { /* storage disabled */ }
  return 'zh';
}

interface Ctx {
  lang: Lang; setLang(l: Lang): void;
  /** A message of the dictionary, {name} placeholders filled from vars. */
  t(key: string, vars?: Record<string, string | number>): string;
  /** An inline pair: the Chinese text, or the English one in en mode. */
  tr(zh: string, en: string): string;
  /** Pick from a { zh, en } label, or fall back to the raw value. */
  lbl(l: L | undefined, fallback: string): string;
}
const LangCtx = createContext<Ctx>({ lang: 'zh', setLang: () => undefined, t: (k) => k, tr: (zh) => zh, lbl: (l, f) => l?.zh ?? f });

export function LangProvider({ messages, children }: { messages: Messages; children: ReactNode }) {
  const [lang, set] = useState<Lang>(initial);
  const setLang = useCallback((l: Lang) => { set(l); try { localStorage.setItem(KEY, l); } catch { /* ignore */ } }, []);
  const t = useCallback((key: string, vars?: Record<string, string | number>) => {
    let s = messages[key]?.[lang] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  }, [lang, messages]);
  const value = useMemo<Ctx>(() => ({ lang, setLang, t, tr: (zh, en) => (lang === 'zh' ? zh : en), lbl: (l, f) => (l ? l[lang] : f) }), [lang, setLang, t]);
  if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  return (
    <LangCtx.Provider value={value}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1f5fbf', borderRadius: 6, colorTextSecondary: '#595959', colorTextDescription: '#595959', colorTextTertiary: '#595959',
        // WCAG AA (4.5:1 on white): links in the primary blue, not antd's lighter default; error red dark enough for danger buttons' text
        colorLink: '#1f5fbf', colorLinkHover: '#164a96', colorLinkActive: '#0f3a7a', colorError: '#cf1322' } }} button={{ autoInsertSpace: false }}>{children}</ConfigProvider>
    </LangCtx.Provider>
  );
}

export function useLang() { return useContext(LangCtx); }
