/** The `custodian` command. Every verb has --help; --json prints machine-readable output. */
import { Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { ConfigError } from '../core/config.js';
import { KeyfileError } from '../crypto/keyfile.js';
import { StoreLockedError } from '../db/lock.js';
import { callLocalServer, configFrom, initStore, isInitialised, rotateKeys, serve, withStore } from './store-cli.js';
import type { VerifyResult } from '../audit/index.js';
import { detectCommands } from './detect-cli.js';
import { backupCommands, keyStoreCommands } from './backup-cli.js';
// --- issue 11: certificate verify, archive open, doctor ---
import { complianceCommands } from './compliance-cli.js';

function fail(e: unknown): never {
  const msg = e instanceof ConfigError || e instanceof KeyfileError || e instanceof StoreLockedError ? e.message : (e as Error)?.message ?? String(e);
  console.error(`custodian: ${msg}`);
  process.exit(e instanceof StoreLockedError ? 3 : 1);
}

const dataOpt = () => new Option('--data <dir>', '数据目录 / data folder (or CUSTODIAN_DATA; default ./data)');

export async function main(argv: string[]) {
  const program = new Command('custodian')
    .description('Custodian：客户个人信息保管与 PIPL 合规 / customer PI vault and PIPL operations')
    .version('0.1.0')
    .showHelpAfterError();

  program.command('init').description('创建存储、密钥文件、首个租户、管理员和 API 密钥 / create store, keyfile, first tenant, admin and API key')
    .addOption(dataOpt()).option('--config <file>', 'config file (JSON)')
    .addOption(new Option('--suite <suite>', '密码套件 / crypto suite').choices(['aes', 'sm']).default('aes'))
    .option('--name <name>', '租户名称 / tenant name', 'default').option('--json', 'print JSON')
    .action(async (o) => { try { await initStore(configFrom(o), { suite: o.suite, name: o.name, json: o.json }); } catch (e) { fail(e); } });

  program.command('serve').description('启动服务 / run the server (PostgreSQL when DATABASE_URL is set)')
    .addOption(dataOpt()).option('--config <file>', 'config file (JSON)').option('--port <n>', 'port (default 8080)').option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .action(async (o) => { try { await serve(configFrom(o)); } catch (e) { fail(e); } });

  program.command('start').description('首次运行时初始化，然后启动服务 / init on first run, then serve')
    .addOption(dataOpt()).option('--port <n>', 'port').option('--host <host>', 'address')
    .addOption(new Option('--suite <suite>').choices(['aes', 'sm']).default('aes'))
    .action(async (o) => {
      try {
        const cfg = configFrom(o);
        if (!isInitialised(cfg)) await initStore(cfg, { suite: o.suite });
        await serve(cfg);
      } catch (e) { fail(e); }
    });

  const keys = program.command('keys').description('密钥管理 / key management');
  keys.command('rotate').description('轮换租户密钥（服务运行时亦可） / rotate the tenant key (also while the server runs)')
    .addOption(dataOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const out = await rotateKeys(configFrom(o));
        console.log(o.json ? JSON.stringify(out) : `租户密钥已轮换 / tenant key rotated: version ${out.kek_version}, ${out.rewrapped} data keys re-wrapped`);
      } catch (e) { fail(e); }
    });

  keyStoreCommands(keys);

  const audit = program.command('audit').description('审计日志 / audit log');
  audit.command('verify').description('校验哈希链与签名检查点 / verify the hash chain and signed checkpoints')
    .addOption(dataOpt()).option('--json', 'print JSON')
    .action(async (o) => {
      try {
        const cfg = configFrom(o);
        const res = (await callLocalServer<VerifyResult>(cfg, 'GET', '/api/v1/audit/verify'))
          ?? await withStore(cfg, (app, tenantId) => app.db.transaction(async (tx) => { await app.audit.checkpoint(tx, tenantId); return app.audit.verify(tx, tenantId); }));
        if (o.json) console.log(JSON.stringify(res));
        else console.log(res.ok ? `OK: ${res.events} events, ${res.checkpoints} signed checkpoints verified` : `BROKEN at event ${res.brokenAt}: ${res.problem}`);
        process.exitCode = res.ok ? 0 : 2;
      } catch (e) { fail(e); }
    });
  audit.command('export').description('导出审计事件为 JSON Lines（供 SIEM） / export events as JSON lines for a SIEM')
    .addOption(dataOpt()).option('--out <file>', 'file (default stdout)').option('--subject <id>').option('--actor <id>').option('--purpose <name>').option('--from <iso>').option('--to <iso>')
    .action(async (o) => {
      try {
        const lines: string[] = [];
        await withStore(configFrom(o), async (app, tenantId) => {
          let after = 0;
          for (;;) {
            const rows = await app.db.transaction((tx) => app.audit.query(tx, { tenantId, subjectId: o.subject, actorId: o.actor, purpose: o.purpose, from: o.from ? new Date(o.from) : undefined, to: o.to ? new Date(o.to) : undefined, afterSeq: after, limit: 1000 }));
            if (!rows.length) break;
            for (const r of rows) lines.push(JSON.stringify(r));
            after = rows[rows.length - 1].seq;
          }
        });
        const text = lines.join('\n') + (lines.length ? '\n' : '');
        if (o.out) writeFileSync(o.out, text); else process.stdout.write(text);
      } catch (e) { fail(e); }
    });

  detectCommands(program);
  backupCommands(program);
  // --- issue 11 ---
  complianceCommands(program);
  await program.parseAsync(argv);
}
