/**
 * Wires the capability modules into one running Custodian: config -> store -> root key -> services.
 * The only place that knows every module.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './core/config.js';
import { createLogger, type Logger } from './core/logger.js';
import { openDb, type Db } from './db/connection.js';
import { KeyfileError, createKeyfile, localRootKeyProvider, openKeyfile, type RootKeyProvider } from './crypto/keyfile.js';
import { createKeyService, type KeyService } from './crypto/keys-service.js';
import { createDatabaseBackupKeyStore, type TenantBackupKeyStore } from './crypto/backup-keys.js';
import { createAccessService, createStaffService, type AccessService, type StaffService } from './access/index.js';
import { createAuditService, type AuditService } from './audit/index.js';
import { createTenantService, type TenantService } from './tenants/index.js';
import { SealPool } from './vault/seal-pool.js';
import { createCollectionStore, createRecordsService, createSubjectService, type CollectionStore, type RecordsService, type SubjectService } from './vault/index.js';
import { createActivitiesService, createConsentService, createNoticeService, type ActivitiesService, type ConsentService, type ConsentInput, type NoticeService } from './consent/index.js';
// --- rights / retention / backup / jobs (issue 5) ---
import { systemClock } from './core/clock.js';
import { createJobsService, nextDailyRun, type JobsService } from './jobs/index.js';
import { createRightsService, type RightsService } from './rights/index.js';
import { createRetentionService, type RetentionService } from './retention/index.js';
import { createBackupService, createBackupSchedule, createS3Store, nextWeeklyRun, type BackupService } from './backup/index.js';
// --- issue 10: assessments, risks, third parties and sharing, transfers, complaints ---
import { createAssessmentService, type AssessmentService } from './assessments/index.js';
import { createRiskService, type RiskService } from './risks/index.js';
import { createShareService, createThirdPartyService, type ShareService, type ThirdPartyService } from './sharing/index.js';
import { createTransferService, type TransferService } from './transfers/index.js';
import { createComplaintService, type ComplaintService } from './complaints/index.js';
// --- issue 9 ---
import { createIncidentsModule, createOutboxNotifier, type DrillSandbox, type IncidentsModule, type Notifier } from './incidents/index.js';
// --- issue 11: compliance audits and reports, deregistration, doctor, privacy-preserving analytics ---
import { createDeregistrationService, createInstallationKeys, type DeregistrationService, type InstallationKeys } from './tenants/index.js';
import { createAuditorService, createComplianceAuditService, createDoctor, createReportService, createTrainingService, nextMonthlyRun, type AuditorService, type ComplianceAuditService, type Doctor, type ReportService, type TrainingService } from './compliance/index.js';
import { createAnalyticsService, createPaillierService, type AnalyticsService, type PaillierService } from './deidentify/index.js';
// --- issue 7: customer self-service portal; SMTP or file outbox shared with incident notices ---
import { createChannelNotifier, createSmtpNotifier, createWebhookNotifier } from './core/notifier.js';
import { createSubjectLookup } from './vault/index.js';
import { createPortalService, type PortalService } from './portal/index.js';

export interface Custodian {
  cfg: Config;
  db: Db;
  logger: Logger;
  root: RootKeyProvider;
  keys: KeyService;
  /** Per-tenant backup keys, outside backups (ADR 0013). */
  backupKeys: TenantBackupKeyStore;
  access: AccessService;
  staff: StaffService;
  audit: AuditService;
  tenants: TenantService;
  collections: CollectionStore;
  records: RecordsService;
  consent: ConsentService;
  // --- issue 4 ---
  notices: NoticeService;
  activities: ActivitiesService;
  // --- issue 5 ---
  subjects: SubjectService;
  rights: RightsService;
  retention: RetentionService;
  backup: BackupService;
  jobs: JobsService;
  // --- issue 10 ---
  assessments: AssessmentService;
  risks: RiskService;
  thirdParties: ThirdPartyService;
  shares: ShareService;
  transfers: TransferService;
  complaints: ComplaintService;
  // --- issue 9 ---
  incidents: IncidentsModule;
  // --- issue 11 ---
  installationKeys: InstallationKeys;
  deregistration: DeregistrationService;
  doctor: Doctor;
  complianceAudits: ComplianceAuditService;
  reports: ReportService;
  auditors: AuditorService;
  analytics: AnalyticsService;
  paillier: PaillierService;
  training: TrainingService;
  // --- issue 7 ---
  portal: PortalService;
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
  const db = await openDb({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl, poolSize: cfg.pgPoolSize, lock: opts.lock, pgliteSharedBuffers: cfg.pgliteSharedBuffers });
  return assemble(cfg, db, root, opts.logger ?? createLogger({ level: cfg.logLevel }));
}

export function assemble(cfg: Config, db: Db, root: RootKeyProvider, logger: Logger, opts: { notifier?: Notifier } = {}): Custodian {
  const keys = createKeyService(root);
  const backupKeys = createDatabaseBackupKeyStore(root);
  const access = createAccessService();
  const tenants = createTenantService({ db, root, access, backupKeys });
  const audit = createAuditService({ db, hashName: tenants.hashName, signingKey: tenants.signingKey, onChainError: (e) => logger.error({ err: (e as Error)?.message }, 'audit chainer failed') });
  const collections = createCollectionStore();
  // --- issue 4: notices, consent (also recorded with a record write) and the register of processing activities ---
  const subjects = createSubjectService({ db, keys, access, audit, collections });
  const consent = createConsentService({ db, audit, access, clock: systemClock, birthDateOf: subjects.birthDateOf });
  const notices = createNoticeService({ db, audit, access, collections, clock: systemClock });
  // Activation of an activity with a trigger needs an approved impact assessment naming the activity's id (issue 10).
  const activities = createActivitiesService({ db, audit, access, collections, clock: systemClock, assessmentGate: async (tx, tenantId, activityId, triggers) => {
    const on = (Object.keys(triggers) as Array<keyof typeof triggers>).filter((k) => triggers[k]).map((k) => (k === 'entrusting' ? 'entrusted_processing' : k));
    await assessments.requireApproved(tx, tenantId, activityId, on);
  } });
  const sealPool = cfg.sealWorkers > 0 ? new SealPool(cfg.sealWorkers) : null;
  const records = createRecordsService({ db, keys, access, audit, collections, maxBatchRecords: cfg.maxBatchRecords, sealPool, recordConsent: (tx, actor, subjectId, c, ctx) => consent.grantWithin(tx, actor, subjectId, c as ConsentInput, ctx) });
  // --- issue 5: rights requests, retention, backups, durable jobs ---
  const staff = createStaffService({ db, root, sessionTtlMinutes: cfg.sessionTtlMinutes, suiteOf: tenants.suiteOf });
  const rights = createRightsService({ db, audit, access, records, subjects, consent, keys, clock: systemClock, deadlineWorkingDays: cfg.requestDeadlineWorkingDays, exportTtlHours: 72 });
  const retention = createRetentionService({ db, audit, access, records, subjects, collections, clock: systemClock });
  const objectStore = cfg.s3Endpoint ? createS3Store({ endpoint: cfg.s3Endpoint, region: cfg.s3Region, accessKeyId: cfg.s3AccessKeyId as string, secretAccessKey: cfg.s3SecretAccessKey as string }) : undefined;
  const backup = createBackupService({ db, root, audit, access, backupKeys, objectStore, onRestored: async () => { for (const t of await db.kysely.selectFrom('tenants').select('id').execute()) keys.forgetTenant(t.id); } });
  const jobs = createJobsService({ db, onError: (kind, e) => logger.error({ job: kind, err: (e as Error)?.message }, 'job failed') });
  jobs.register('rights.deadlines', { run: (tenantId, now) => rights.flagDeadlines(tenantId, now), next: nextDailyRun });
  jobs.register('retention.sweep', { run: (tenantId, now) => retention.sweep(tenantId, now), next: nextDailyRun });
  if (cfg.backupDir) {
    const scheduled = createBackupSchedule({ backup, objectStore, dir: cfg.backupDir, keep: cfg.backupKeep, isInstallationTenant: async (id) => id === (await tenants.firstTenantId()) });
    jobs.register('backup.scheduled', { run: (tenantId, now) => scheduled.backupNow(tenantId, now), next: nextDailyRun });
    jobs.register('backup.drill', { run: (tenantId) => scheduled.drillNewest(tenantId), next: nextWeeklyRun });
  }
  // --- issue 10: impact assessments, risk register, third parties and sharing, transfers, complaints ---
  const risks = createRiskService({ db, audit, access, clock: systemClock });
  const assessments = createAssessmentService({ db, audit, access, risks, clock: systemClock, tenantName: async (tx, id) => (await tx.selectFrom('tenants').select('name').where('id', '=', id).executeTakeFirst())?.name ?? id });
  jobs.register('risks.reviews', { run: (tenantId, now) => risks.flagReviews(tenantId, now), next: nextDailyRun });
  const thirdParties = createThirdPartyService({ db, audit, access, collections, clock: systemClock, suiteOf: tenants.suiteOf });
  const shares = createShareService({ db, audit, access, records, collections, clock: systemClock });
  const transfers = createTransferService({ db, audit, access, assessments, clock: systemClock });
  const complaints = createComplaintService({ db, audit, access, keys, clock: systemClock, slaWorkingDays: 15 });
  // PI written in plaintext outside the vault before migration 0011 (complainant contacts, requesters) gets sealed.
  jobs.register('pi.seal_legacy', { run: async (tenantId) => ({ ...(await complaints.sealLegacyPlaintext(tenantId)), requesters: (await rights.sealLegacyRequesters(tenantId)).sealed }), next: nextDailyRun });
  jobs.register('complaints.sla', { run: (tenantId, now) => complaints.flagSla(tenantId, now), next: nextDailyRun });
  jobs.register('third_parties.contracts', { run: (tenantId, now) => thirdParties.flagContracts(tenantId, now), next: nextDailyRun });
  // --- issue 9: anomaly detection, alerts, incidents, notification (file outbox, SMTP for email when configured), drills in a scratch store ---
  const notifier = opts.notifier ?? createChannelNotifier({
    ...(cfg.smtpUrl ? { email: createSmtpNotifier(cfg.smtpUrl, cfg.smtpFrom) } : {}),
    ...(cfg.smsWebhookUrl && cfg.smsWebhookSecret ? { sms: createWebhookNotifier(cfg.smsWebhookUrl, cfg.smsWebhookSecret, 'sms') } : {}),
  }, createOutboxNotifier(join(cfg.dataDir, 'outbox')));
  const incidents = createIncidentsModule({
    db, audit, access, collections, records, clock: systemClock,
    notifier,
    box: {
      seal: async (tx, tenantId, secret, aad) => root.wrap(secret, `incident|${tenantId}|${aad}`, await tenants.suiteOf(tx, tenantId)),
      open: async (tx, tenantId, sealed, aad) => root.unwrap(sealed, `incident|${tenantId}|${aad}`, await tenants.suiteOf(tx, tenantId)),
    },
    openSandbox: () => openDrillSandbox(cfg),
  });
  incidents.registerJobs(jobs);
  // --- issue 11: deregistration with a signed destruction certificate ---
  const installationKeys = createInstallationKeys({ db, root });
  const deregistration = createDeregistrationService({ db, root, keys, backupKeys, audit, access, backup, installation: installationKeys, archiveDir: join(cfg.dataDir, 'archives'), clock: systemClock });
  const doctor = createDoctor({ cfg, db, audit, rootProviderId: root.id, passphrase: () => { try { return readPassphrase(cfg); } catch { return null; } } });
  const complianceAudits = createComplianceAuditService({ db, audit, access, clock: systemClock });
  const reports = createReportService({ db, audit, access, clock: systemClock, requestDeadlineWorkingDays: cfg.requestDeadlineWorkingDays });
  const auditors = createAuditorService({ db, audit, access, clock: systemClock });
  const analytics = createAnalyticsService({ db, keys, access, audit, collections });
  const paillier = createPaillierService({ db, root, suiteOf: tenants.suiteOf, keys, access, audit, collections });
  const training = createTrainingService({ db, audit, access, clock: systemClock });
  jobs.register('trainings.remind', { run: (tenantId) => training.remind(tenantId), next: nextDailyRun });
  jobs.register('reports.monthly', { run: (tenantId, now) => reports.monthly(tenantId, now), next: nextMonthlyRun });
  // --- issue 7: customer portal ---
  const portal = createPortalService({
    db, audit, access, lookup: createSubjectLookup({ keys }), consent, rights, complaints, notifier, outboxDir: join(cfg.dataDir, 'outbox'), clock: systemClock,
    limits: { codesPerContact: cfg.portalCodesPerContact, codesPerIp: cfg.portalCodesPerIp, windowMinutes: cfg.portalCodeWindowMinutes, sessionIdleMinutes: cfg.portalSessionIdleMinutes },
    onDeliveryError: (e) => logger.error({ err: (e as Error)?.name }, 'portal code delivery failed'),
  });
  return {
    cfg, db, logger, root, keys, backupKeys, access, staff, audit, tenants, collections, records, consent, notices, activities,
    subjects, rights, retention, backup, jobs, incidents,
    assessments, risks, thirdParties, shares, transfers, complaints,
    installationKeys, deregistration, doctor, complianceAudits, reports, auditors, analytics, paillier, training, portal,
    async close() { await portal.idle(); await jobs.stop(); await audit.stop(); await sealPool?.close(); await db.close(); },
  };
}

/** issue 9: a throw-away Custodian (PGlite in a temporary folder, own keyfile and tenant) for incident drills. */
async function openDrillSandbox(cfg: Config): Promise<DrillSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-incident-drill-'));
  try {
    const passphrase = randomBytes(18).toString('base64url');
    createKeyfile(join(dir, 'keyfile.json'), passphrase);
    const root = localRootKeyProvider(openKeyfile(join(dir, 'keyfile.json'), passphrase));
    const sdb = await openDb({ dataDir: dir, lock: true });
    const app = assemble({ ...cfg, dataDir: dir, databaseUrl: undefined, passphrase }, sdb, root, createLogger({ level: 'silent' }), { notifier: createOutboxNotifier(join(dir, 'outbox')) });
    const t = await app.tenants.createTenant({ name: 'incident drill', suite: 'aes' });
    const owner = await sdb.transaction((tx) => app.access.authenticateApiKey(tx, t.api_key));
    if (!owner) throw new Error('drill sandbox: owner key did not authenticate');
    return { dir, tenantId: t.tenant, owner, db: sdb, access: app.access, collections: app.collections, records: app.records, incidents: app.incidents, async close() { await app.close(); rmSync(dir, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
