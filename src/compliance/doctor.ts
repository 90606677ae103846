/**
 * `custodian doctor`: a security self-check of a deployment, one pass/warn/fail line per check, the same
 * result on the console's dashboard (GET /api/v1/doctor). Checks read configuration, files and the store;
 * they never print a secret. PIPL Art. 51 asks for "corresponding technical security measures"; each
 * check names the rule it serves.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Config } from '../core/config.js';
import type { Db } from '../db/connection.js';
import type { AuditService } from '../audit/index.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export interface DoctorCheck { id: string; status: CheckStatus; title_zh: string; title_en: string; detail_zh: string; detail_en: string; rule: string }
export interface DoctorReport { ok: boolean; at: string; summary: Record<CheckStatus, number>; checks: DoctorCheck[] }

export interface DoctorDeps {
  cfg: Config;
  db: Db;
  audit: Pick<AuditService, 'verify' | 'sm3InDatabase'>;
  rootProviderId: string;
  /** The keyfile passphrase in use (from the environment or the init file), to judge its strength; never printed. */
  passphrase?: () => string | null;
  env?: NodeJS.ProcessEnv;
  /** Runs `npm audit`; injectable so the check can be exercised without the network. */
  npmAudit?: () => Promise<{ high: number; critical: number } | null>;
}

const WEAK_SECRETS = new Set(['changeme', 'change-me', 'password', 'passw0rd', 'postgres', 'admin', 'secret', 'custodian', '123456', '12345678', 'test', 'example', 'default']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '']);
const DAY = 86_400_000;
const packageRoot = () => join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function check(id: string, status: CheckStatus, rule: string, title: [string, string], detail: [string, string]): DoctorCheck {
  return { id, status, rule, title_zh: title[0], title_en: title[1], detail_zh: detail[0], detail_en: detail[1] };
}

/** `npm audit --omit=dev --json` in the installation folder: counts of high and critical advisories, or null. */
export function npmAuditCounts(cwd = packageRoot(), timeoutMs = 60_000): Promise<{ high: number; critical: number } | null> {
  return new Promise((resolve) => {
    execFile('npm', ['audit', '--omit=dev', '--json'], { cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (_err, stdout) => {
      try {
        const v = JSON.parse(stdout)?.metadata?.vulnerabilities;
        resolve(v ? { high: Number(v.high ?? 0), critical: Number(v.critical ?? 0) } : null);
      } catch { resolve(null); }
    });
  });
}

export function createDoctor(deps: DoctorDeps) {
  const { cfg, db } = deps;
  const env = deps.env ?? process.env;

  function https(): DoctorCheck {
    const t: [string, string] = ['HTTPS', 'HTTPS'];
    if (cfg.tlsCert && cfg.tlsKey) return check('https', 'pass', 'PIPL 51; GB/T 35273 §6.3', t, ['已启用内置 HTTPS（TLS 1.2 及以上）', 'built-in HTTPS is on (TLS 1.2 or later)']);
    if (cfg.publicUrl?.startsWith('https://')) return check('https', 'warn', 'PIPL 51', t, [`由反向代理在 ${cfg.publicUrl} 终止 TLS；代理到本服务一段为明文 HTTP，请确保在同一主机或内网加密`, `TLS ends at a proxy (${cfg.publicUrl}); the hop to Custodian is plain HTTP: keep it on the same host or encrypt it`]);
    if (LOOPBACK.has(cfg.host)) return check('https', 'warn', 'PIPL 51', t, ['未启用 HTTPS，仅监听本机地址', 'HTTPS is off; listening on loopback only']);
    return check('https', 'fail', 'PIPL 51; GB/T 35273 §6.3', t, [`未启用 HTTPS 且监听 ${cfg.host}：个人信息将以明文传输。设置 CUSTODIAN_TLS_CERT/CUSTODIAN_TLS_KEY`, `HTTPS is off while listening on ${cfg.host}: PI would travel in clear text. Set CUSTODIAN_TLS_CERT and CUSTODIAN_TLS_KEY`]);
  }

  function keyfile(): DoctorCheck[] {
    const out: DoctorCheck[] = [];
    const t: [string, string] = ['密钥文件权限', 'Keyfile permissions'];
    if (process.platform === 'win32') return [check('keyfile_permissions', 'skip', 'PIPL 51', t, ['Windows 上不检查文件模式', 'file modes are not checked on Windows'])];
    const file = join(cfg.dataDir, 'keyfile.json');
    if (!existsSync(file)) out.push(check('keyfile_permissions', deps.rootProviderId === 'local-keyfile' ? 'fail' : 'pass', 'PIPL 51', t, ['数据目录中没有密钥文件', 'no keyfile in the data folder']));
    else {
      const mode = statSync(file).mode & 0o777;
      out.push(mode & 0o077
        ? check('keyfile_permissions', 'fail', 'PIPL 51', t, [`密钥文件权限为 ${mode.toString(8)}，其他用户可读：执行 chmod 600`, `keyfile mode is ${mode.toString(8)}, readable by others: chmod 600 it`])
        : check('keyfile_permissions', 'pass', 'PIPL 51', t, [`密钥文件权限为 ${mode.toString(8)}`, `keyfile mode is ${mode.toString(8)}`]));
    }
    const dmode = existsSync(cfg.dataDir) ? statSync(cfg.dataDir).mode & 0o777 : 0;
    out.push(dmode & 0o077
      ? check('data_dir_permissions', 'warn', 'PIPL 51', ['数据目录权限', 'Data folder permissions'], [`数据目录权限为 ${dmode.toString(8)}：建议 chmod 700`, `data folder mode is ${dmode.toString(8)}: chmod 700 is advised`])
      : check('data_dir_permissions', 'pass', 'PIPL 51', ['数据目录权限', 'Data folder permissions'], [`数据目录权限为 ${dmode.toString(8)}`, `data folder mode is ${dmode.toString(8)}`]));
    return out;
  }

  function secrets(): DoctorCheck[] {
    const t: [string, string] = ['口令与连接串不是默认值', 'Secrets are not defaults'];
    const problems: Array<[string, string]> = [];
    const warnings: Array<[string, string]> = [];
    const pass = deps.passphrase?.() ?? cfg.passphrase ?? null;
    if (pass && (WEAK_SECRETS.has(pass.toLowerCase()) || pass.length < 16 || /^(.)\1+$/.test(pass))) problems.push(['密钥口令过短或为常见值', 'the keyfile passphrase is short or a common value']);
    if (existsSync(join(cfg.dataDir, 'passphrase'))) warnings.push(['密钥口令以文件形式存放在数据目录（init 生成）：生产环境请改用 CUSTODIAN_PASSPHRASE 或 KMS 并删除该文件', 'the passphrase sits in a file in the data folder (written by init): in production use CUSTODIAN_PASSPHRASE or a KMS and delete the file']);
    if (cfg.databaseUrl) {
      try {
        const u = new URL(cfg.databaseUrl);
        const pw = decodeURIComponent(u.password);
        if (pw && (WEAK_SECRETS.has(pw.toLowerCase()) || pw.length < 12)) problems.push(['数据库口令过短或为常见值', 'the database password is short or a common value']);
        if (!pw && !LOOPBACK.has(u.hostname)) warnings.push(['数据库连接串没有口令（依赖 trust/证书认证）', 'the database URL has no password (relies on trust or certificate authentication)']);
      } catch { problems.push(['DATABASE_URL 无法解析', 'DATABASE_URL cannot be parsed']); }
    }
    if (env.CUSTODIAN_BACKUP_PASSPHRASE && (WEAK_SECRETS.has(env.CUSTODIAN_BACKUP_PASSPHRASE.toLowerCase()) || env.CUSTODIAN_BACKUP_PASSPHRASE.length < 12)) problems.push(['备份口令过短或为常见值', 'the backup passphrase is short or a common value']);
    if (problems.length) return [check('secrets_default', 'fail', 'PIPL 51', t, [problems.map((p) => p[0]).join('；'), problems.map((p) => p[1]).join('; ')])];
    if (warnings.length) return [check('secrets_default', 'warn', 'PIPL 51', t, [warnings.map((p) => p[0]).join('；'), warnings.map((p) => p[1]).join('; ')])];
    return [check('secrets_default', 'pass', 'PIPL 51', t, ['未发现默认或弱口令', 'no default or weak secret found'])];
  }

  async function adminMfa(tenants: string[]): Promise<DoctorCheck> {
    const t: [string, string] = ['管理员两步验证', 'Administrators use two-step verification'];
    const rows = await sql<{ n: number }>`select count(*)::int as n from staff s where s.tenant_id = any(${tenants}::text[]) and s.disabled_at is null and not s.totp_enabled
      and exists (select 1 from roles r where r.tenant_id = s.tenant_id and r.permissions ? 'admin' and s.roles ? r.name)`.execute(db.kysely);
    const n = Number(rows.rows[0]?.n ?? 0);
    return n ? check('admin_mfa', 'warn', 'PIPL 51', t, [`${n} 个管理员账户未启用两步验证`, `${n} administrator account(s) without two-step verification`]) : check('admin_mfa', 'pass', 'PIPL 51', t, ['所有管理员均已启用两步验证', 'every administrator uses two-step verification']);
  }

  async function backups(tenants: string[], now: Date): Promise<DoctorCheck[]> {
    const last = await sql<{ at: Date | null }>`select max(at) as at from audit_events where tenant_id = any(${tenants}::text[]) and action = 'backup.create' and decision = 'allow'`.execute(db.kysely);
    const at = last.rows[0]?.at ? new Date(last.rows[0].at) : null;
    const days = at ? Math.floor((now.getTime() - at.getTime()) / DAY) : null;
    const tb: [string, string] = ['备份近期完成', 'Backups are recent'];
    const b = days === null ? check('backups_recent', 'fail', 'PIPL 51', tb, ['从未做过备份', 'no backup was ever made'])
      : days > 7 ? check('backups_recent', 'warn', 'PIPL 51', tb, [`最近一次备份在 ${days} 天前（${at!.toISOString()}）`, `the last backup is ${days} days old (${at!.toISOString()})`])
        : check('backups_recent', 'pass', 'PIPL 51', tb, [`最近一次备份：${at!.toISOString()}`, `last backup: ${at!.toISOString()}`]);
    const drill = await db.kysely.selectFrom('backup_drills').select(['at', 'ok', 'problem']).where('tenant_id', 'in', tenants.length ? tenants : ['']).orderBy('at', 'desc').limit(1).executeTakeFirst();
    const td: [string, string] = ['恢复演练', 'Restore drills'];
    let d: DoctorCheck;
    if (!drill) d = check('backups_drilled', 'fail', 'PIPL 51', td, ['从未做过恢复演练（custodian backup verify）', 'no restore drill was ever run (custodian backup verify)']);
    else if (!drill.ok) d = check('backups_drilled', 'fail', 'PIPL 51', td, [`最近一次演练失败：${drill.problem ?? ''}`, `the last drill failed: ${drill.problem ?? ''}`]);
    else {
      const dd = Math.floor((now.getTime() - new Date(drill.at).getTime()) / DAY);
      d = dd > 30 ? check('backups_drilled', 'warn', 'PIPL 51', td, [`最近一次成功演练在 ${dd} 天前`, `the last successful drill is ${dd} days old`]) : check('backups_drilled', 'pass', 'PIPL 51', td, [`最近一次演练通过：${new Date(drill.at).toISOString()}`, `last drill passed: ${new Date(drill.at).toISOString()}`]);
    }
    return [b, d];
  }

  /**
   * Backups seal each tenant's keys under a backup key kept outside them (ADR 0013): a restore into a new store needs a
   * key store export at least as new as the last change of those keys (a new tenant, a rotation, a deregistration).
   */
  async function keyStoreExport(tenants: string[]): Promise<DoctorCheck> {
    const t: [string, string] = ['密钥库导出（灾难恢复）', 'Key store export (disaster recovery)'];
    const changed = await sql<{ at: Date | null }>`select max(greatest(created_at, coalesce(destroyed_at, created_at))) as at from tenant_backup_keys`.execute(db.kysely);
    const lastChange = changed.rows[0]?.at ? new Date(changed.rows[0].at) : null;
    if (!lastChange) return check('key_store_export', 'pass', 'PIPL 51', t, ['尚无租户备份密钥（尚未备份）', 'no tenant backup key yet (nothing backed up)']);
    const exported = await sql<{ at: Date | null }>`select max(at) as at from audit_events where tenant_id = any(${tenants}::text[]) and action = 'keys.store_export' and decision = 'allow'`.execute(db.kysely);
    const lastExport = exported.rows[0]?.at ? new Date(exported.rows[0].at) : null;
    if (!lastExport) return check('key_store_export', 'fail', 'PIPL 51', t, ['从未导出密钥库：新环境无法恢复任何备份。执行 custodian keys export --out 文件，并与备份分开保存', 'the key store was never exported: no backup can be restored into a new store. Run custodian keys export --out FILE and keep it apart from the backups']);
    if (lastExport < lastChange) return check('key_store_export', 'warn', 'PIPL 51', t, [`最近一次导出（${lastExport.toISOString()}）早于租户备份密钥的最近变化（${lastChange.toISOString()}）：请重新导出`, `the last export (${lastExport.toISOString()}) predates the last change of tenant backup keys (${lastChange.toISOString()}): export again`]);
    return check('key_store_export', 'pass', 'PIPL 51', t, [`最近一次导出：${lastExport.toISOString()}`, `last export: ${lastExport.toISOString()}`]);
  }

  async function auditChains(tenants: string[]): Promise<DoctorCheck> {
    const t: [string, string] = ['审计哈希链校验', 'Audit hash chains verify'];
    const broken: string[] = [];
    let events = 0;
    for (const id of tenants) {
      const r = await db.transaction((tx) => deps.audit.verify(tx, id));
      events += r.events;
      if (!r.ok) broken.push(`${id}: ${r.problem}`);
    }
    return broken.length ? check('audit_chain', 'fail', 'PIPL 51, 54', t, [`审计链被破坏：${broken.join('；')}`, `audit chain broken: ${broken.join('; ')}`])
      : check('audit_chain', 'pass', 'PIPL 51, 54', t, [`${tenants.length} 个租户、${events} 条事件校验通过`, `${events} events in ${tenants.length} tenant(s) verified`]);
  }

  /** Tenants on the sm suite have SM3 chains: PostgreSQL rehashes them itself only with pgcrypto (ADR 0005 addendum). */
  async function sm3Chains(tenants: string[]): Promise<DoctorCheck> {
    const t: [string, string] = ['国密审计链在数据库内校验', 'SM3 audit chains verified in the database'];
    if (db.kind !== 'postgres') return check('audit_sm3_in_database', 'skip', 'PIPL 54', t, ['内嵌存储（PGlite）：SM3 链在进程内校验', 'embedded store (PGlite): SM3 chains are verified in this process']);
    const sm = tenants.length ? (await db.kysely.selectFrom('tenants').select('id').where('id', 'in', tenants).where('suite', '=', 'sm').execute()).length : 0;
    if (sm === 0) return check('audit_sm3_in_database', 'pass', 'PIPL 54', t, ['没有使用国密套件的租户', 'no tenant on the sm suite']);
    if (await deps.audit.sm3InDatabase()) return check('audit_sm3_in_database', 'pass', 'PIPL 54', t, [`${sm} 个国密租户的审计链由 pgcrypto 在数据库内校验`, `pgcrypto rehashes the SM3 chains of ${sm} tenant(s) in the database`]);
    return check('audit_sm3_in_database', 'warn', 'PIPL 54', t, [`${sm} 个租户使用国密套件，其审计链在进程内校验（慢约十五倍）：在数据库中执行 CREATE EXTENSION pgcrypto`, `${sm} tenant(s) on the sm suite have their SM3 chains verified in this process (about fifteen times slower): run CREATE EXTENSION pgcrypto in the database`]);
  }

  async function dependencies(offline: boolean): Promise<DoctorCheck> {
    const t: [string, string] = ['依赖无已知高危漏洞', 'Dependencies without known high vulnerabilities'];
    if (offline) return check('dependencies', 'skip', 'PIPL 51', t, ['离线模式：未查询漏洞库（去掉 --offline 运行 npm audit）', 'offline: the advisory database was not queried (run without --offline for npm audit)']);
    const r = await (deps.npmAudit ?? (() => npmAuditCounts()))();
    if (!r) return check('dependencies', 'skip', 'PIPL 51', t, ['npm audit 无法运行（无网络或无 package-lock.json）', 'npm audit could not run (no network or no package-lock.json)']);
    const n = r.high + r.critical;
    return n ? check('dependencies', 'fail', 'PIPL 51', t, [`运行时依赖有 ${r.critical} 个严重、${r.high} 个高危漏洞：npm audit fix 或升级 Custodian`, `${r.critical} critical and ${r.high} high advisories in runtime dependencies: npm audit fix, or upgrade Custodian`])
      : check('dependencies', 'pass', 'PIPL 51', t, ['npm audit 未发现高危或严重漏洞', 'npm audit found no high or critical advisory']);
  }

  async function postgresTls(): Promise<DoctorCheck> {
    const t: [string, string] = ['数据库连接加密', 'Database connection encrypted'];
    if (db.kind !== 'postgres') return check('postgres_tls', 'skip', 'PIPL 51', t, ['内嵌存储（PGlite）：没有网络连接', 'embedded store (PGlite): no network connection']);
    let ssl = false;
    try { ssl = Boolean((await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(db.kysely)).rows[0]?.ssl); } catch { ssl = false; }
    if (ssl) return check('postgres_tls', 'pass', 'PIPL 51', t, ['PostgreSQL 连接使用 TLS', 'the PostgreSQL connection uses TLS']);
    let host = '';
    try { host = new URL(cfg.databaseUrl as string).hostname; } catch { /* unparsable: treated as remote */ }
    return LOOPBACK.has(host) || host.startsWith('/')
      ? check('postgres_tls', 'warn', 'PIPL 51', t, [`PostgreSQL 连接未加密（本机 ${host || 'socket'}）`, `the PostgreSQL connection is not encrypted (local ${host || 'socket'})`])
      : check('postgres_tls', 'fail', 'PIPL 51', t, [`到 ${host} 的 PostgreSQL 连接未加密：在 DATABASE_URL 加 sslmode=verify-full`, `the PostgreSQL connection to ${host} is not encrypted: add sslmode=verify-full to DATABASE_URL`]);
  }

  async function keyAge(tenants: string[], now: Date): Promise<DoctorCheck> {
    const t: [string, string] = ['租户密钥定期轮换', 'Tenant keys rotated'];
    const rows = await sql<{ tenant_id: string; at: Date }>`select tenant_id, max(created_at) as at from tenant_keys where tenant_id = any(${tenants}::text[]) and wrapped is not null group by tenant_id`.execute(db.kysely);
    const old = rows.rows.filter((r) => now.getTime() - new Date(r.at).getTime() > 365 * DAY);
    return old.length ? check('key_rotation', 'warn', 'PIPL 51', t, [`${old.length} 个租户的密钥超过一年未轮换（custodian keys rotate）`, `${old.length} tenant key(s) not rotated for over a year (custodian keys rotate)`])
      : check('key_rotation', 'pass', 'PIPL 51', t, ['所有租户密钥在一年内创建或轮换', 'every tenant key was created or rotated within a year']);
  }

  function runtime(): DoctorCheck {
    const major = Number(process.versions.node.split('.')[0]);
    const t: [string, string] = ['运行环境', 'Runtime'];
    return major >= 20 ? check('runtime', 'pass', '—', t, [`Node.js ${process.versions.node}`, `Node.js ${process.versions.node}`]) : check('runtime', 'fail', '—', t, [`Node.js ${process.versions.node} 过旧（需要 20 及以上）`, `Node.js ${process.versions.node} is too old (20 or later needed)`]);
  }

  return {
    /** Every check; `tenantId` narrows store checks to one tenant (the console), else all live tenants (the command). */
    async run(opts: { tenantId?: string; offline?: boolean; now?: Date } = {}): Promise<DoctorReport> {
      const now = opts.now ?? new Date();
      const tenants = opts.tenantId ? [opts.tenantId] : (await db.kysely.selectFrom('tenants').select('id').where('state', 'in', ['active', 'frozen']).execute()).map((t) => t.id);
      const checks: DoctorCheck[] = [
        https(), ...keyfile(), ...secrets(), await adminMfa(tenants), ...(await backups(tenants, now)), await keyStoreExport(tenants), await auditChains(tenants), await sm3Chains(tenants),
        await keyAge(tenants, now), await postgresTls(), await dependencies(opts.offline ?? false), runtime(),
      ];
      const summary = { pass: 0, warn: 0, fail: 0, skip: 0 } as Record<CheckStatus, number>;
      for (const c of checks) summary[c.status] += 1;
      return { ok: summary.fail === 0, at: now.toISOString(), summary, checks };
    },
  };
}
export type Doctor = ReturnType<typeof createDoctor>;
