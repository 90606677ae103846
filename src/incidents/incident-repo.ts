/** SQL shared by the incident services; every function takes the transaction. */
import type { Tx } from '../db/connection.js';
import type { Actor } from '../audit/index.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { DEFAULT_SETTINGS, type IncidentSettings } from './incident-types.js';

export async function loadSettings(tx: Tx, tenantId: string): Promise<IncidentSettings> {
  const r = await tx.selectFrom('incident_settings').select('settings').where('tenant_id', '=', tenantId).executeTakeFirst();
  const s = (r?.settings ?? {}) as Partial<IncidentSettings>;
  return { ...DEFAULT_SETTINGS, ...s, grade_thresholds: { ...DEFAULT_SETTINGS.grade_thresholds, ...(s.grade_thresholds ?? {}) } };
}

export async function saveSettings(tx: Tx, tenantId: string, s: IncidentSettings): Promise<void> {
  const row = { tenant_id: tenantId, settings: JSON.stringify(s), updated_at: new Date() };
  await tx.insertInto('incident_settings').values(row).onConflict((oc) => oc.column('tenant_id').doUpdateSet(row)).execute();
}

export async function loadIncident(tx: Tx, tenantId: string, id: string, lock = false) {
  let q = tx.selectFrom('incidents').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r) throw notFound('incident.not_found', '事件不存在', 'incident not found');
  return r;
}
export type IncidentRow = Awaited<ReturnType<typeof loadIncident>>;

let counter = 0;
/** Timeline ids sort in the order they were written (time, then a counter), so equal timestamps keep their order. */
function timelineId(): string {
  counter = (counter + 1) % 0x1000000;
  return `itl_${Date.now().toString(16).padStart(12, '0')}${counter.toString(16).padStart(6, '0')}${newId('x').slice(2, 14)}`;
}

/** One line of the incident's timeline (every action on it is one). */
export async function addTimeline(tx: Tx, actor: Actor, incidentId: string, entry: string, note: string | null, details: Record<string, unknown> | null, at = new Date()): Promise<void> {
  await tx.insertInto('incident_timeline').values({
    tenant_id: actor.tenantId, id: timelineId(), incident_id: incidentId, at, actor_type: actor.type, actor_id: actor.id, entry, note, details: details ? JSON.stringify(details) : null,
  }).execute();
}

export const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
