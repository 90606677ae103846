/** Who is signed in and what they may do: a staff session, or (developer fallback) an API key. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, clearAuth, get, onUnauthorized, post, setApiKey, setSession, storedCsrf, storedKey, type Staff } from '../api';

export interface Identity {
  kind: 'staff' | 'key';
  id: string;
  name: string;
  roles: string[];
  permissions: string[];
  /** Key sign-in on an older server: permissions that could not be probed are left to the server to decide. */
  partial?: boolean;
  /** Staff: whether TOTP is enrolled. */
  totp?: boolean;
}
type StaffBody = Staff & { permissions: string[]; totp_enabled?: boolean };
interface LoginBody { staff: StaffBody; csrf_token: string }
/** GET /auth/me: a staff session, or the API key's roles and permissions. */
type MeBody = { staff: StaffBody } | { api_key: string; tenant: string; roles: string[]; permissions: string[] };

const fromStaff = (s: StaffBody): Identity => ({ kind: 'staff', id: s.id, name: s.display_name || s.username, roles: s.roles ?? [], permissions: s.permissions ?? [], totp: s.totp_enabled });

/** The identity behind an API key: from /auth/me, or (older servers) by probing read routes that need a permission. */
async function probeKey(key: string): Promise<Identity> {
  setApiKey(key);
  try {
    const me = await get<MeBody>('/auth/me', { quiet401: true });
    if ('api_key' in me) return { kind: 'key', id: me.api_key, name: `API key ${me.api_key}`, roles: me.roles, permissions: me.permissions };
    if ('staff' in me) return { ...fromStaff(me.staff), kind: 'key' };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { clearAuth(); throw e; }
  }
  const probes: Array<[string, string]> = [['roles.manage', '/roles'], ['keys.manage', '/api-keys'], ['audit.read', '/audit/events?limit=1']];
  const results = await Promise.allSettled(probes.map(([, p]) => get(p, { quiet401: true })));
  const invalid = results.find((r) => r.status === 'rejected' && r.reason instanceof ApiError && r.reason.status === 401);
  if (invalid) { clearAuth(); throw (invalid as PromiseRejectedResult).reason; }
  const allowed = probes.filter((_, i) => results[i].status === 'fulfilled').map(([perm]) => perm);
  const admin = allowed.length === probes.length;
  return { kind: 'key', id: `${key.slice(0, 8)}…`, name: `API key ${key.slice(0, 8)}…`, roles: [], permissions: admin ? ['admin'] : allowed, partial: !admin };
}

interface AuthCtx {
  identity: Identity | null;
  ready: boolean;
  loginStaff(username: string, password: string, totp?: string): Promise<void>;
  loginKey(key: string): Promise<void>;
  logout(): Promise<void>;
  can(perm?: string): boolean;
  /** Re-read the identity (after enrolling TOTP). */
  refresh(): Promise<void>;
}
const Ctx = createContext<AuthCtx | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    onUnauthorized(() => { clearAuth(); setIdentity(null); });
    (async () => {
      const key = storedKey();
      try {
        if (key) setIdentity(await probeKey(key));
        else if (storedCsrf()) {
          // The session cookie is HttpOnly; the CSRF token given at sign-in is kept beside it.
          const me = await get<MeBody>('/auth/me', { quiet401: true });
          if ('staff' in me) setIdentity(fromStaff(me.staff)); else clearAuth();
        }
      } catch { clearAuth(); }
      setReady(true);
    })();
  }, []);

  const loginStaff = useCallback(async (username: string, password: string, totp?: string) => {
    clearAuth();
    const body = await post<LoginBody>('/auth/login', { username, password, ...(totp ? { totp } : {}) }, { quiet401: true });
    setSession(body.csrf_token);
    setIdentity(fromStaff(body.staff));
  }, []);
  const loginKey = useCallback(async (key: string) => { setIdentity(await probeKey(key.trim())); }, []);
  const logout = useCallback(async () => {
    if (identity?.kind === 'staff') { try { await post('/auth/logout', {}, { quiet401: true }); } catch { /* already gone */ } }
    clearAuth();
    setIdentity(null);
  }, [identity]);
  const can = useCallback((perm?: string) => {
    if (!perm) return true;
    if (!identity) return false;
    if (identity.permissions.includes('admin') || identity.permissions.includes(perm)) return true;
    // A key whose permissions could not all be probed: leave the unprobed ones to the server.
    return Boolean(identity.partial) && !['roles.manage', 'keys.manage', 'audit.read'].includes(perm);
  }, [identity]);

  const refresh = useCallback(async () => {
    const me = await get<MeBody>('/auth/me');
    if ('staff' in me && identity?.kind === 'staff') setIdentity(fromStaff(me.staff));
  }, [identity]);
  const value = useMemo(() => ({ identity, ready, loginStaff, loginKey, logout, can, refresh }), [identity, ready, loginStaff, loginKey, logout, can, refresh]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error('useAuth outside AuthProvider');
  return c;
}
