/** Incidents (信息泄露等安全事件, PIPL Art. 57; 国家网络安全事件报告管理办法 2025). */
export const INCIDENT_KINDS = ['leak', 'tampering', 'loss'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export const INCIDENT_STATES = ['open', 'contained', 'reviewing', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
/** Grades of the reporting measures, lowest first: 一般, 较大, 重大, 特别重大. */
export const GRADES = ['general', 'major', 'serious', 'especially_serious'] as const;
export type Grade = (typeof GRADES)[number];
export const ALERT_STATES = ['open', 'acknowledged', 'dismissed', 'escalated'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const STEP_KINDS = ['containment', 'investigation', 'remedy', 'communication', 'note'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const CHANNELS = ['sms', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];
export const SINK_KINDS = ['webhook', 'syslog', 'nats'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];
export const DRILL_SCENARIOS = ['bulk_read_leak', 'dormant_account_leak', 'collection_loss'] as const;
export type DrillScenario = (typeof DRILL_SCENARIOS)[number];

/** Per-tenant settings (configurable figures; defaults follow /work/shared/pipl.md). */
export interface IncidentSettings {
  /** Affected individuals at which each grade starts (较大, 重大, 特别重大). */
  grade_thresholds: { major: number; serious: number; especially_serious: number };
  /** Hours from detection to the report to the regulator, for grades `major` and above. */
  report_hours: number;
  /** Critical information infrastructure operator: 1 hour instead. */
  cii_operator: boolean;
  cii_report_hours: number;
  /** Hours for a `general` incident (null: no fixed deadline). */
  general_report_hours: number | null;
  /** Days after closing within which the summary report is due. */
  summary_days: number;
  /** Who the regulator report names as the handler and its contact. */
  organisation: string;
  contact: string;
  regulator: string;
  /** Purpose under which contact details are read to notify individuals (legal_obligation basis). */
  notification_purpose: string;
  /** Drill schedule: every N days (null: none). */
  drill_every_days: number | null;
  drill_scenario: DrillScenario;
  next_drill_at: string | null;
}

export const DEFAULT_SETTINGS: IncidentSettings = {
  grade_thresholds: { major: 1_000_000, serious: 10_000_000, especially_serious: 100_000_000 },
  report_hours: 4,
  cii_operator: false,
  cii_report_hours: 1,
  general_report_hours: null,
  summary_days: 30,
  organisation: '',
  contact: '',
  regulator: '省级网信部门 / provincial Cyberspace Administration',
  notification_purpose: 'incident_notification',
  drill_every_days: null,
  drill_scenario: 'bulk_read_leak',
  next_drill_at: null,
};

export interface OpenIncidentInput {
  title: string; kind: IncidentKind; detected_at?: string; occurred_from?: string; occurred_to?: string; description?: string;
  cause?: string; harm?: string; remedies?: string; subject_actions?: string; contact?: string; alert_ids?: string[];
}
export interface UpdateIncidentInput {
  title?: string; occurred_from?: string | null; occurred_to?: string | null; description?: string | null; cause?: string | null; harm?: string | null;
  remedies?: string | null; subject_actions?: string | null; contact?: string | null; grade_override?: Grade | null; grade_reason?: string | null;
}
export interface ScopeInput {
  /** `audit`: subjects whose PI the matching audit events disclosed; `collection`: every subject with records in the collections. */
  mode: 'audit' | 'collection';
  actor_ids?: string[];
  from?: string;
  to?: string;
  collections?: string[];
  actions?: string[];
}
export interface ReviewInput { cause: string; lessons: string; improvements: string; harm_assessment?: string }
export interface PlanStep { key: string; title: string; role?: string; within_minutes?: number }
export interface PlanInput {
  kind: IncidentKind; title: string; roles: Array<{ role: string; name: string; contact?: string }>;
  contacts: Array<{ name: string; organisation?: string; phone?: string; email?: string }>; steps: PlanStep[]; notes?: string;
}
export interface ChecklistItem extends PlanStep { done: boolean; done_at: string | null; done_by: string | null; note: string | null }
export interface NotifyInput { channels: Channel[]; language?: 'zh-CN' | 'en'; purpose?: string }
