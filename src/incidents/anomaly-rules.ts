/**
 * Anomaly rules over the audit stream (pure): events in, alert hits and updated per-actor state out.
 * Time is the events' own `at`, so replaying a stream gives the same alerts. Each rule keeps one open
 * alert per actor that later events extend while they keep meeting the rule within its cool-down, so a
 * long bulk read is one alert with a growing count, not thousands.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const RULES = ['bulk_read', 'bulk_export', 'off_hours', 'refusal_burst', 'new_network', 'dormant_account', 'sensitive_spike'] as const;
export type RuleName = (typeof RULES)[number];

export interface RuleParams {
  bulk_read: { window_minutes: number; distinct_subjects: number };
  bulk_export: { window_minutes: number; exports: number; records_per_export: number };
  off_hours: { start_hour: number; end_hour: number; actor_types: string[] };
  refusal_burst: { window_minutes: number; refusals: number };
  new_network: { min_history_events: number };
  dormant_account: { idle_days: number };
  sensitive_spike: { bucket_minutes: number; sigma: number; min_count: number; min_buckets: number; alpha: number };
}
export type RuleSet = { [K in RuleName]: { enabled: boolean; params: RuleParams[K]; exempt: string[] } };

/** Product defaults (configurable per tenant through /api/v1/alerts/rules). */
export const DEFAULT_PARAMS: RuleParams = {
  bulk_read: { window_minutes: 10, distinct_subjects: 100 },
  bulk_export: { window_minutes: 60, exports: 10, records_per_export: 1000 },
  off_hours: { start_hour: 8, end_hour: 20, actor_types: ['staff'] },
  refusal_burst: { window_minutes: 5, refusals: 10 },
  new_network: { min_history_events: 20 },
  dormant_account: { idle_days: 30 },
  sensitive_spike: { bucket_minutes: 60, sigma: 4, min_count: 20, min_buckets: 24, alpha: 0.1 },
};
export const SEVERITY: Record<RuleName, 'low' | 'medium' | 'high'> = {
  bulk_read: 'high', bulk_export: 'high', sensitive_spike: 'high', refusal_burst: 'medium', new_network: 'medium', dormant_account: 'medium', off_hours: 'low',
};

export function defaultRuleSet(): RuleSet {
  return Object.fromEntries(RULES.map((r) => [r, { enabled: true, params: structuredClone(DEFAULT_PARAMS[r]), exempt: [] }])) as unknown as RuleSet;
}

/** The columns of an audit event the rules look at (no PI). */
export interface AuditLite {
  seq: number; at: number; actorType: string; actorId: string; action: string; decision: string;
  subjectId: string | null; collection: string | null; fields: string[] | null; clientIp: string | null; records: number | null;
}

export interface WindowState {
  /** bulk_read: [subject, at, seq], oldest first, at most `distinct_subjects` entries. */
  reads: Array<[string, number, number]>;
  exports: Array<[number, number]>;
  refusals: Array<[number, number]>;
  open: Partial<Record<RuleName, { id: string; until: number }>>;
  /** Working form of `reads` while evaluating (subject -> [at, seq], oldest first); see readsOf / persistReads. */
  readsMap?: Map<string, [number, number]>;
}

function readsOf(w: WindowState): Map<string, [number, number]> {
  if (!w.readsMap) w.readsMap = new Map(w.reads.map(([s, at, seq]) => [s, [at, seq]]));
  return w.readsMap;
}
/** The bulk-read window in its stored form (call before saving a state). */
export function persistReads(w: WindowState): Array<[string, number, number]> {
  if (w.readsMap) { w.reads = [...w.readsMap].map(([s, [at, seq]]) => [s, at, seq]); w.readsMap = undefined; }
  return w.reads;
}
export interface SensitiveBaseline { bucket: number | null; count: number; mean: number; var: number; n: number; alerted: number | null }
export interface ActorState {
  actorId: string; actorType: string; firstSeen: number; lastSeen: number | null; events: number; networks: string[];
  sens: SensitiveBaseline; win: WindowState;
}

export function newActorState(actorId: string, actorType: string, at: number): ActorState {
  return {
    actorId, actorType, firstSeen: at, lastSeen: null, events: 0, networks: [],
    sens: { bucket: null, count: 0, mean: 0, var: 0, n: 0, alerted: null }, win: { reads: [], exports: [], refusals: [], open: {} },
  };
}

export interface AlertHit {
  id: string; isNew: boolean; rule: RuleName; severity: 'low' | 'medium' | 'high'; actorId: string; actorType: string;
  start: number; end: number; count: number; evidence: number[]; firstSeq: number; lastSeq: number; summary: Record<string, unknown>;
}

export interface EvalContext {
  rules: RuleSet;
  /** Whether the event touched a sensitive field (from the collections' field definitions). */
  sensitive(collection: string | null, fields: string[] | null): boolean;
  /** Whether an instant is inside working hours on a working day (official calendar). */
  workingTime(at: number, startHour: number, endHour: number): boolean;
  newId(): string;
}

const MIN = 60_000;
const DAY = 86_400_000;
export const EVIDENCE_CAP = 200;
const READ_ACTIONS = new Set(['record.read', 'record.search', 'subject.export']);
const isExport = (a: string) => a === 'subject.export' || a.endsWith('.export');

const netCache = new Map<string, string | null>();
/** The network an address belongs to: /24 for IPv4, /48 for IPv6, `loopback` for the local host. */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null;
  const hit = netCache.get(ip);
  if (hit !== undefined) return hit;
  const n = computeNetwork(ip);
  if (netCache.size > 50_000) netCache.clear();
  netCache.set(ip, n);
  return n;
}

function computeNetwork(ip: string): string | null {
  let a = ip.trim();
  if (a.toLowerCase().startsWith('::ffff:') && isIPv4(a.slice(7))) a = a.slice(7);
  if (isIPv4(a)) {
    if (a.startsWith('127.')) return 'loopback';
    const p = a.split('.');
    return `${p[0]}.${p[1]}.${p[2]}.0/24`;
  }
  if (isIPv6(a)) {
    if (a === '::1') return 'loopback';
    const [head, tail = ''] = a.split('::');
    const h = head ? head.split(':') : [];
    const t = a.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return `${groups.slice(0, 3).map((g) => parseInt(g, 16).toString(16)).join(':')}::/48`;
  }
  return null;
}

/**
 * Evaluate a batch of events (ordered by seq) against the states of their actors (mutated in place).
 * `acc` carries hits and touched actors across batches evaluated before one commit.
 */
export function evaluate(events: AuditLite[], states: Map<string, ActorState>, ctx: EvalContext, acc: { hits: Map<string, AlertHit>; touched: Set<string> } = { hits: new Map(), touched: new Set() }): { hits: AlertHit[]; touched: Set<string> } {
  const { rules } = ctx;
  const { hits, touched } = acc;
  const on = (r: RuleName, actor: string) => rules[r].enabled && !rules[r].exempt.includes(actor);

  function fire(rule: RuleName, st: ActorState, ev: AuditLite, cooldownMs: number, raise: () => { evidence: number[]; start: number; count: number; summary: Record<string, unknown>; severity?: 'low' | 'medium' | 'high' }, update?: Record<string, unknown>) {
    const open = st.win.open[rule];
    if (open && ev.at <= open.until) {
      let h = hits.get(open.id);
      if (!h) {
        h = { id: open.id, isNew: false, rule, severity: SEVERITY[rule], actorId: st.actorId, actorType: st.actorType, start: ev.at, end: ev.at, count: 0, evidence: [], firstSeq: ev.seq, lastSeq: ev.seq, summary: {} };
        hits.set(open.id, h);
      }
      h.count += 1;
      h.end = Math.max(h.end, ev.at);
      h.lastSeq = ev.seq;
      if (h.evidence.length < EVIDENCE_CAP) h.evidence.push(ev.seq);
      if (update) Object.assign(h.summary, update);
      open.until = Math.max(open.until, ev.at + cooldownMs);
      return;
    }
    const r = raise();
    const id = ctx.newId();
    const evidence = r.evidence.slice(-EVIDENCE_CAP);
    hits.set(id, {
      id, isNew: true, rule, severity: r.severity ?? SEVERITY[rule], actorId: st.actorId, actorType: st.actorType, start: r.start, end: ev.at, count: r.count,
      evidence, firstSeq: Math.min(...evidence, ev.seq), lastSeq: ev.seq, summary: { ...r.summary, ...(update ?? {}) },
    });
    st.win.open[rule] = { id, until: ev.at + cooldownMs };
  }

  for (const ev of events) {
    if (ev.actorType === 'system') continue;
    let st = states.get(ev.actorId);
    if (!st) { st = newActorState(ev.actorId, ev.actorType, ev.at); states.set(ev.actorId, st); }
    touched.add(ev.actorId);
    const actor = ev.actorId;
    const prevLast = st.lastSeen;

    if (on('dormant_account', actor) && prevLast !== null) {
      const idle = ev.at - prevLast;
      const p = rules.dormant_account.params;
      if (idle >= p.idle_days * DAY) {
        fire('dormant_account', st, ev, 60 * MIN, () => ({ evidence: [ev.seq], start: ev.at, count: 1, severity: READ_ACTIONS.has(ev.action) ? 'high' : 'medium', summary: { idle_days: Math.floor(idle / DAY), last_seen: new Date(prevLast).toISOString(), threshold_days: p.idle_days } }));
      } else if (st.win.open.dormant_account && ev.at <= st.win.open.dormant_account.until) {
        // Everything the reawakened account does in the hour after is evidence of the same alert.
        fire('dormant_account', st, ev, 0, () => ({ evidence: [], start: ev.at, count: 0, summary: {} }));
      }
    }

    const net = networkOf(ev.clientIp);
    if (net && !st.networks.includes(net)) {
      const p = rules.new_network.params;
      if (on('new_network', actor) && st.events >= p.min_history_events && st.networks.length > 0) {
        st.win.open.new_network = undefined;
        fire('new_network', st, ev, 0, () => ({ evidence: [ev.seq], start: ev.at, count: 1, summary: { network: net, known_networks: st!.networks.length, history_events: st!.events } }));
      }
      st.networks.push(net);
      if (st.networks.length > 50) st.networks.shift();
    }

    const read = READ_ACTIONS.has(ev.action) && ev.decision === 'allow' && ev.subjectId !== null;
    if (read) {
      if (on('bulk_read', actor)) {
        const p = rules.bulk_read.params;
        const w = p.window_minutes * MIN;
        const reads = readsOf(st.win);
        reads.delete(ev.subjectId as string);
        reads.set(ev.subjectId as string, [ev.at, ev.seq]);
        for (const [k, [at]] of reads) {
          if (at >= ev.at - w && reads.size <= p.distinct_subjects) break;
          reads.delete(k);
        }
        if (reads.size >= p.distinct_subjects) {
          fire('bulk_read', st, ev, w, () => {
            const inWindow = [...reads.values()];
            return { evidence: inWindow.map((x) => x[1]), start: inWindow[0][0], count: reads.size, summary: { distinct_subjects: reads.size, window_minutes: p.window_minutes, threshold: p.distinct_subjects } };
          });
        }
      }
      const oh = rules.off_hours.params;
      if (on('off_hours', actor) && oh.actor_types.includes(ev.actorType) && !ctx.workingTime(ev.at, oh.start_hour, oh.end_hour)) {
        fire('off_hours', st, ev, 60 * MIN, () => ({ evidence: [ev.seq], start: ev.at, count: 1, summary: { working_hours: `${oh.start_hour}:00-${oh.end_hour}:00`, calendar: 'official working days' } }));
      }
      if (ctx.sensitive(ev.collection, ev.fields)) sensitiveRead(st, ev);
    }

    if (isExport(ev.action) && ev.decision === 'allow' && on('bulk_export', actor)) {
      const p = rules.bulk_export.params;
      const w = p.window_minutes * MIN;
      const ex = st.win.exports;
      ex.push([ev.at, ev.seq]);
      while (ex.length && (ex[0][0] < ev.at - w || ex.length > p.exports)) ex.shift();
      const big = (ev.records ?? 0) >= p.records_per_export;
      if (ex.length >= p.exports || big) {
        fire('bulk_export', st, ev, w, () => ({ evidence: big ? [ev.seq] : ex.map((x) => x[1]), start: big ? ev.at : ex[0][0], count: big ? 1 : ex.length, summary: { exports_in_window: ex.length, window_minutes: p.window_minutes, threshold: p.exports, ...(big ? { records: ev.records, records_threshold: p.records_per_export } : {}) } }));
      }
    }

    if (ev.decision === 'deny' && on('refusal_burst', actor)) {
      const p = rules.refusal_burst.params;
      const w = p.window_minutes * MIN;
      const rf = st.win.refusals;
      rf.push([ev.at, ev.seq]);
      while (rf.length && (rf[0][0] < ev.at - w || rf.length > p.refusals)) rf.shift();
      if (rf.length >= p.refusals) {
        fire('refusal_burst', st, ev, w, () => ({ evidence: rf.map((x) => x[1]), start: rf[0][0], count: rf.length, summary: { refusals_in_window: rf.length, window_minutes: p.window_minutes, threshold: p.refusals } }));
      }
    }

    st.lastSeen = prevLast === null ? ev.at : Math.max(prevLast, ev.at);
    st.events += 1;
  }

  /** Per-actor baseline of sensitive reads per active bucket (exponentially weighted mean and variance). */
  function sensitiveRead(st: ActorState, ev: AuditLite) {
    const p = rules.sensitive_spike.params;
    const B = p.bucket_minutes * MIN;
    const b = Math.floor(ev.at / B) * B;
    const s = st.sens;
    if (s.bucket === null) { s.bucket = b; s.count = 0; }
    if (b > s.bucket) {
      const diff = s.count - s.mean;
      const incr = p.alpha * diff;
      s.mean = s.n === 0 ? s.count : s.mean + incr;
      s.var = s.n === 0 ? 0 : (1 - p.alpha) * (s.var + diff * incr);
      s.n += 1;
      s.bucket = b;
      s.count = 0;
    }
    s.count += 1;
    if (!on('sensitive_spike', st.actorId) || s.n < p.min_buckets) return;
    // Counts are at least as noisy as a Poisson process: the spread is never taken below sqrt(mean).
    const sd = Math.max(Math.sqrt(Math.max(s.var, 0)), Math.sqrt(Math.max(s.mean, 0)));
    const threshold = Math.max(p.min_count, Math.ceil(s.mean + p.sigma * sd));
    if (s.count >= threshold) {
      const bucketEnd = (s.bucket as number) + B;
      const summary = { bucket_start: new Date(s.bucket as number).toISOString(), sensitive_reads: s.count, baseline_mean: round(s.mean), baseline_sd: round(sd), threshold, baseline_buckets: s.n };
      if (s.alerted === s.bucket) fire('sensitive_spike', st, ev, 0, () => ({ evidence: [], start: ev.at, count: 0, summary }), { sensitive_reads: s.count });
      else {
        st.win.open.sensitive_spike = undefined;
        fire('sensitive_spike', st, ev, bucketEnd - ev.at, () => ({ evidence: [ev.seq], start: s.bucket as number, count: s.count, summary }));
        s.alerted = s.bucket;
      }
    }
  }

  return { hits: [...hits.values()], touched };
}

const round = (x: number) => Math.round(x * 100) / 100;
