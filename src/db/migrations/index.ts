/** Ordered migrations; each capability appends its own file here. Never edit one that has shipped. */
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_access_audit.js';
import * as m0003 from './0003_consent.js';
import * as m0004 from './0004_rights_backup.js';
import * as m0005 from './0005_consent_activities.js';
import * as m0006 from './0006_incidents.js';
import * as m0007 from './0007_assessments_sharing.js';
import * as m0008 from './0008_audit_async_chain.js';
import * as m0009 from './0009_compliance.js';
import * as m0010 from './0010_portal.js';
import * as m0011 from './0011_operational_pi_sealed.js';
import * as m0012 from './0012_audit_verify_index.js';
import * as m0013 from './0013_complaint_messages_sealed.js';
import * as m0014 from './0014_tenant_backup_keys.js';
import * as m0015 from './0015_incident_subject_chunks.js';

export interface Migration { name: string; up: string }
export const migrations: Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015];
