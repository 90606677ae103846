/**
 * Issue 11 verbs: `custodian certificate verify FILE` (offline: no store, no server, no network),
 * `custodian archive open FILE` (the handler's archive from a deregistration), `custodian doctor`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { verifyCertificate, certificateSummary, readArchive, ArchiveError } from '../tenants/index.js';
import type { DoctorReport } from '../compliance/index.js';
import { callLocalServer, configFrom, withStore } from './store-cli.js';
import { readLock } from '../db/lock.js';
import type { Config } from '../core/config.js';
import type { Custodian } from '../app.js';

/** POST through the running server that holds the embedded store (local control token), else open the store. */
async function postViaServerOrStore<T>(cfg: Config, path: string, body: unknown, direct: (app: Custodian) => Promise<T>): Promise<T> {
  const lock = cfg.databaseUrl ? null : readLock(cfg.dataDir);
  if (lock?.port && lock.controlToken) {
    let res: Response | null = null;
    try {
      res = await fetch(`${cfg.tlsCert ? 'https' : 'http'}://127.0.0.1:${lock.port}${path}`, { method: 'POST', headers: { authorization: `Bearer ctl_${lock.controlToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch { res = null; /* the server is stopping */ }
    if (res) {
      const out = await res.json() as T & { detail?: string };
      if (!res.ok) throw new Error(`服务器拒绝 / the server refused: ${out.detail ?? res.status}`);
      return out;
    }
  }
  return withStore(cfg, direct);
}

function fail(e: unknown): never {
  console.error(`custodian: ${(e as Error)?.message ?? String(e)}`);
  process.exit(e instanceof ArchiveError ? 2 : 1);
}

/** Fingerprints the verifier trusts: --fingerprint values and the keys in a --keys file (GET /certificates/keys). */
function trusted(o: { fingerprint?: string[]; keys?: string }): string[] {
  const out = [...(o.fingerprint ?? [])];
  if (o.keys) {
    const doc = JSON.parse(readFileSync(o.keys, 'utf8')) as { keys?: Array<{ fingerprint: string }> } | Array<{ fingerprint: string }>;
    for (const k of Array.isArray(doc) ? doc : doc.keys ?? []) out.push(k.fingerprint);
  }
  return out;
}

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

/** One line per check: status, title, detail (zh-CN, then en). */
export function formatDoctor(r: DoctorReport): string {
  const lines = r.checks.map((c) => `${MARK[c.status].padEnd(4)}  ${c.title_zh} / ${c.title_en}: ${c.detail_zh} / ${c.detail_en}  [${c.rule}]`);
  lines.push(`${r.ok ? '通过 / OK' : '未通过 / FAILED'}: ${r.summary.pass} pass, ${r.summary.warn} warn, ${r.summary.fail} fail, ${r.summary.skip} skipped`);
  return lines.join('\n');
}

export function complianceCommands(program: Command) {
  program.command('doctor').description('部署安全自检（HTTPS、密钥文件、口令、备份与演练、审计链、依赖漏洞、数据库加密） / security self-check of this deployment')
    .addOption(new Option('--data <dir>', '数据目录 / data folder (or CUSTODIAN_DATA; PostgreSQL when DATABASE_URL is set)')).option('--config <file>', 'config file (JSON)')
    .option('--offline', '不查询漏洞库（跳过 npm audit） / skip the advisory query (npm audit)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const cfg = configFrom(o);
        const report = (await callLocalServer<DoctorReport>(cfg, 'GET', `/api/v1/doctor?dependencies=${o.offline ? 'false' : 'true'}`))
          ?? await withStore(cfg, (app) => app.doctor.run({ offline: Boolean(o.offline) }));
        console.log(o.json ? JSON.stringify(report) : formatDoctor(report));
        process.exitCode = report.ok ? 0 : 2;
      } catch (e) { fail(e); }
    });

  const tenant = program.command('tenant').description('租户 / tenants');
  tenant.command('deregister').description('执行已审批的企业注销（或继续被中断的执行），校验备份并输出销毁证明 / execute an approved deregistration (or finish an interrupted one), verify backups, write the certificate')
    .requiredOption('--tenant <id>', '租户 id / tenant id').requiredOption('--confirm <name>', '租户名称（确认） / the tenant name, to confirm')
    .option('--archive-passphrase-file <file>', '留存归档口令文件 / archive passphrase file')
    .option('--backup <file...>', '要校验的备份文件 / backup files to verify').option('--backup-passphrase-file <file>', '备份口令文件（口令加密的备份） / backup passphrase file')
    .option('--out <file>', '证明写入文件 / write the certificate to this file').option('--json', 'print JSON')
    .addOption(new Option('--data <dir>', '数据目录 / data folder (or CUSTODIAN_DATA; PostgreSQL when DATABASE_URL is set)'))
    .action(async (o) => {
      try {
        const cfg = configFrom(o);
        const read = (f?: string) => (f ? readFileSync(f, 'utf8').trim() : undefined);
        const bp = read(o.backupPassphraseFile);
        const body = { confirm_tenant_name: o.confirm, ...(o.archivePassphraseFile ? { archive_passphrase: read(o.archivePassphraseFile) } : {}), ...(o.backup ? { backups: (o.backup as string[]).map((f) => ({ file: resolve(f), ...(bp ? { passphrase: bp } : {}) })) } : {}) };
        const out = await postViaServerOrStore(cfg, `/api/v1/tenants/${o.tenant}/deregistration/execute`, body,
          (app) => app.deregistration.execute({ type: 'cli', id: `cli:${process.env.USER ?? 'local'}`, tenantId: o.tenant, roles: ['owner'] }, o.tenant, body));
        const text = JSON.stringify(out.certificate, null, 2);
        if (o.out) writeFileSync(o.out, text + '\n');
        if (o.json) console.log(JSON.stringify(out));
        else console.log(`已销毁 / destroyed: certificate ${out.certificate.certificate_id}${o.out ? ` written to ${o.out}` : ''}; signer fingerprint ${out.certificate.signer.fingerprint}${out.archive ? `; archive ${out.archive.file} (sha256 ${out.archive.sha256})` : ''}`);
      } catch (e) { fail(e); }
    });

  const cert = program.command('certificate').description('销毁证明 / destruction certificates');
  cert.command('verify').description('离线校验销毁证明的签名（可比对公布的公钥指纹） / verify a destruction certificate offline')
    .argument('<file>', '证明文件（JSON） / certificate file (JSON)')
    .option('--fingerprint <hex...>', '信任的安装实例公钥指纹 / trusted installation key fingerprint(s)')
    .option('--keys <file>', '公布的公钥清单（GET /certificates/keys 的 JSON） / published keys (JSON of GET /certificates/keys)')
    .option('--json', 'print JSON')
    .action((file: string, o) => {
      try {
        let doc: unknown;
        try { doc = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`无法读取证明 / cannot read certificate ${file}: ${(e as Error).message}`); }
        const res = verifyCertificate(doc, { trustedFingerprints: trusted(o) });
        const d = doc as { tenant?: { name?: string; id?: string }; completed_at?: string };
        const sum = certificateSummary(doc);
        if (o.json) console.log(JSON.stringify({ ...res, summary: res.ok ? sum : null }));
        else if (res.ok) {
          console.log(`有效 / VALID: certificate ${res.certificate_id} for ${d.tenant?.name} (${d.tenant?.id}), destroyed ${d.completed_at}: ${sum.subjects} subjects, ${sum.records} records`);
          console.log(`  signer fingerprint ${res.fingerprint}${res.trusted === null ? ' (not compared with a published key: pass --fingerprint or --keys)' : ' (matches the trusted installation key)'}`);
          console.log(`  销毁的密钥 keys destroyed: ${sum.kek_versions ?? '?'} KEK version(s), ${sum.backup_key_versions ?? 'no record of'} backup key version(s)`);
          console.log(`  校验的备份 backups checked: ${sum.backups_checked}; sealed under the tenant backup key: ${sum.backups_sealed}; opened with the root key alone: ${sum.backups_opened_with_root_key}`);
          if (sum.backups_opened_with_root_key) console.log('  注意 note: 这些备份早于租户备份密钥（ADR 0013），持有根密钥口令者绕过 Custodian 仍可取回租户密钥，应销毁这些备份 / these backups predate tenant backup keys (ADR 0013): whoever holds the root passphrase can still take the tenant keys out of them outside Custodian; destroy them');
        } else {
          console.error(`无效 / INVALID: ${res.problems.join('; ')}`);
        }
        process.exitCode = res.ok ? 0 : 2;
      } catch (e) { fail(e); }
    });

  const archive = program.command('archive').description('注销时导出的留存归档 / the archive exported at deregistration');
  archive.command('open').description('用归档口令解密为 JSON Lines / decrypt to JSON lines with the archive passphrase')
    .argument('<file>', '归档文件 / archive file')
    .addOption(new Option('--passphrase-file <file>', '口令文件（或 CUSTODIAN_ARCHIVE_PASSPHRASE） / passphrase file').env('CUSTODIAN_ARCHIVE_PASSPHRASE_FILE'))
    .option('--out <file>', '输出文件（默认标准输出） / output file (default stdout)')
    .action((file: string, o) => {
      try {
        const pass = o.passphraseFile ? readFileSync(o.passphraseFile, 'utf8').trim() : process.env.CUSTODIAN_ARCHIVE_PASSPHRASE;
        if (!pass) throw new Error('需要归档口令 / the archive passphrase is required (--passphrase-file or CUSTODIAN_ARCHIVE_PASSPHRASE)');
        const { lines } = readArchive(file, pass);
        const text = lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : '');
        if (o.out) writeFileSync(o.out, text, { mode: 0o600 }); else process.stdout.write(text);
      } catch (e) { fail(e); }
    });
}
