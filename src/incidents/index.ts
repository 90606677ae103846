/**
 * Incidents (issue 9): anomaly detection over the audit log, alerts, incidents with scope, grading and
 * reporting deadlines, notification of individuals, regulator reports, response plans, SIEM push, drills.
 */
import type { Db } from '../db/connection.js';
import type { Clock } from '../core/clock.js';
import type { AuditService } from '../audit/index.js';
import type { AccessService } from '../access/index.js';
import type { CollectionStore, RecordsService } from '../vault/index.js';
import type { JobsService } from '../jobs/index.js';
import { nextDailyRun } from '../jobs/index.js';
import { createAnomalyService } from './anomaly-service.js';
import { createIncidentService } from './incident-service.js';
import { createNotifyService } from './incident-notify.js';
import { createIncidentAdmin } from './incident-admin.js';
import { createDrillService, type DrillSandbox } from './incident-drills.js';
import { deliverPushes, type SecretBox } from './sinks.js';
import type { Notifier } from './notifier.js';

export { createOutboxNotifier, type Notifier, type OutboundMessage } from './notifier.js';
export type { DrillSandbox } from './incident-drills.js';
export type { SecretBox } from './sinks.js';
export { renderPdf, renderDocx, documentHash, type ReportDocument } from './incident-report.js';
export { RULES, DEFAULT_PARAMS, type RuleName } from './anomaly-rules.js';
export { ALERT_SORT, BASELINE_SORT } from './anomaly-service.js';
export { DRILL_SORT } from './incident-drills.js';
export { INCIDENT_SORT } from './incident-service.js';
export * from './incident-types.js';

export interface IncidentsDeps {
  db: Db;
  audit: Pick<AuditService, 'record' | 'chainCommitted'>;
  access: AccessService;
  collections: CollectionStore;
  records: Pick<RecordsService, 'read'>;
  clock: Clock;
  notifier: Notifier;
  box: SecretBox;
  openSandbox(): Promise<DrillSandbox>;
}

export function createIncidentsModule(deps: IncidentsDeps) {
  const anomaly = createAnomalyService(deps);
  const incidents = createIncidentService(deps);
  const notify = createNotifyService(deps);
  const admin = createIncidentAdmin(deps);
  const drills = createDrillService(deps);
  const after = (ms: number) => (now: Date) => new Date(now.getTime() + ms);
  return {
    anomaly, incidents, notify, admin, drills,
    /** Durable jobs of this capability (each per tenant, recurring). */
    registerJobs(jobs: Pick<JobsService, 'register'>) {
      jobs.register('incidents.anomaly_scan', { run: (t) => anomaly.scan(t), next: after(60_000) });
      jobs.register('incidents.deadlines', { run: (t, now) => incidents.flagDeadlines(t, now), next: after(5 * 60_000) });
      jobs.register('incidents.notify', { run: (t, now) => notify.deliver(t, now), next: after(60_000) });
      jobs.register('incidents.push', { run: (t, now) => deliverPushes(deps.db, deps.box, t, now), next: after(30_000) });
      jobs.register('incidents.drills', { run: (t, now) => drills.runScheduled(t, now), next: nextDailyRun });
    },
  };
}
export type IncidentsModule = ReturnType<typeof createIncidentsModule>;
