/** Who is signed in and what they may do: a staff session, or (developer fallback) an API key. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, clearAuth, get, onUnauthorized, post, setApiKey, setSession, storedKey, type Staff } from '../api';

export interface Identity {
  kind: 'staff' | 'key';
  id: string;
  name: string;
  roles: string[];
  permissions: string[];
  /** Key sign-in: permissions that could not be probed are left to the server to decide. */
  partial?: boolean;
}
interface AuthBody { staff: Staff & { permissions: string[] }; csrf_token: string }

const fromStaff = (b: AuthBody): Identity => ({ kind: 'staff', id: b.staff.id, name: b.staff.display_name || b.staff.username, roles: b.staff.roles ?? [], permissions: b.staff.permissions ?? [] });

/**
 * An API key has no "who am I" route (unless the server answers /auth/me for keys): probe the
 * read routes that need a permission. All three allowed means an admin key.
 */
async function probeKey(key: string): Promise<Identity> {
  setApiKey(key);
  try {
    const me = await get<AuthBody>('/auth/me', { quiet401: true });
    if (me?.staff) return { ...fromStaff(me), kind: 'key', name: me.staff.display_name || me.staff.username };
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && e.code !== 'route.not_found') {
      // /auth/me may exist and refuse keys: fall through to probes, which tell an invalid key apart.
    }
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
        else {
          const me = await get<AuthBody>('/auth/me', { quiet401: true });
          setSession(me.csrf_token);
          setIdentity(fromStaff(me));
        }
      } catch { clearAuth(); }
      setReady(true);
    })();
  }, []);

  const loginStaff = useCallback(async (username: string, password: string, totp?: string) => {
    clearAuth();
    const body = await post<AuthBody>('/auth/login', { username, password, ...(totp ? { totp } : {}) }, { quiet401: true });
    setSession(body.csrf_token);
    setIdentity(fromStaff(body));
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
    return Boolean(identity.partial) && !['roles.manage', 'keys.manage', 'audit.read', 'staff.manage'].includes(perm);
  }, [identity]);

  const value = useMemo(() => ({ identity, ready, loginStaff, loginKey, logout, can }), [identity, ready, loginStaff, loginKey, logout, can]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error('useAuth outside AuthProvider');
  return c;
}
