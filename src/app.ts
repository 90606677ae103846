/**
 * Wires the capability modules into one running Custodian: config -> store -> root key -> services.
 * The only place that knows every module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './core/config.js';
import { createLogger, type Logger } from './core/logger.js';
import { openDb, type Db } from './db/connection.js';
import { KeyfileError, localRootKeyProvider, openKeyfile, type RootKeyProvider } from './crypto/keyfile.js';
import { createKeyService, type KeyService } from './crypto/keys-service.js';
import { createAccessService, createStaffService, type AccessService, type StaffService } from './access/index.js';
import { createAuditService, type AuditService } from './audit/index.js';
import { createTenantService, type TenantService } from './tenants/index.js';
import { createCollectionStore, createRecordsService, createSubjectService, type CollectionStore, type RecordsService, type SubjectService } from './vault/index.js';
import { createConsentService, type ConsentService } from './consent/index.js';
// --- rights / retention / backup / jobs (issue 5) ---
import { systemClock } from './core/clock.js';
import { createJobsService, nextDailyRun, type JobsService } from './jobs/index.js';
import { createRightsService, type RightsService } from './rights/index.js';
import { createRetentionService, type RetentionService } from './retention/index.js';
import { createBackupService, type BackupService } from './backup/index.js';

export interface Custodian {
  cfg: Config;
  db: Db;
  logger: Logger;
  root: RootKeyProvider;
  keys: KeyService;
  access: AccessService;
  staff: StaffService;
  audit: AuditService;
  tenants: TenantService;
  collections: CollectionStore;
  records: RecordsService;
  consent: ConsentService;
  // --- issue 5 ---
  subjects: SubjectService;
  rights: RightsService;
  retention: RetentionService;
  backup: BackupService;
  jobs: JobsService;
  close(): Promise<void>;
}

export const keyfilePath = (cfg: Config) => join(cfg.dataDir, 'keyfile.json');
export const passphrasePath = (cfg: Config) => join(cfg.dataDir, 'passphrase');

/** The passphrase from CUSTODIAN_PASSPHRASE, else from the file `custodian init` wrote (0600). */
export function readPassphrase(cfg: Config): string {
  if (cfg.passphrase) return cfg.passphrase;
  const p = passphrasePath(cfg);
  if (existsSync(p)) return readFileSync(p, 'utf8').trim();
  throw new KeyfileError('未提供密钥口令 / no passphrase: set CUSTODIAN_PASSPHRASE (or run `custodian init` first)');
}

export async function openCustodian(cfg: Config, opts: { logger?: Logger; lock?: boolean } = {}): Promise<Custodian> {
  if (!existsSync(keyfilePath(cfg))) throw new KeyfileError(`未初始化 / not initialised: no keyfile in ${cfg.dataDir}; run \`custodian init --data ${cfg.dataDir}\` first`);
  const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), readPassphrase(cfg)));
  const db = await openDb({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: cfg.pgPoolSize, lock: opts.lock });
  return assemble(cfg, db, root, opts.logger ?? createLogger({ level: cfg.logLevel }));
}

export function assemble(cfg: Config, db: Db, root: RootKeyProvider, logger: Logger): Custodian {
  const keys = createKeyService(root);
  const access = createAccessService();
  const tenants = createTenantService({ db, root, access });
  const audit = createAuditService({ hashName: tenants.hashName, signingKey: tenants.signingKey });
  const collections = createCollectionStore();
  const records = createRecordsService({ db, keys, access, audit, collections, maxBatchRecords: cfg.maxBatchRecords });
  const consent = createConsentService({ db, audit });
  // --- issue 5: rights requests, retention, backups, durable jobs ---
  const staff = createStaffService({ db, root, sessionTtlMinutes: cfg.sessionTtlMinutes, suiteOf: tenants.suiteOf });
  const subjects = createSubjectService({ db, keys, access, audit, collections });
  const rights = createRightsService({ db, audit, access, records, subjects, consent, clock: systemClock, deadlineWorkingDays: cfg.requestDeadlineWorkingDays, exportTtlHours: 72 });
  const retention = createRetentionService({ db, audit, access, records, subjects, collections, clock: systemClock });
  const backup = createBackupService({ db, root, audit, access, onRestored: async () => { for (const t of await db.kysely.selectFrom('tenants').select('id').execute()) keys.forgetTenant(t.id); } });
  const jobs = createJobsService({ db, onError: (kind, e) => logger.error({ job: kind, err: (e as Error)?.message }, 'job failed') });
  jobs.register('rights.deadlines', { run: (tenantId, now) => rights.flagDeadlines(tenantId, now), next: nextDailyRun });
  jobs.register('retention.sweep', { run: (tenantId, now) => retention.sweep(tenantId, now), next: nextDailyRun });
  return {
    cfg, db, logger, root, keys, access, staff, audit, tenants, collections, records, consent,
    subjects, rights, retention, backup, jobs,
    async close() { await jobs.stop(); await db.close(); },
  };
}
