/** Ordered migrations; each capability appends its own file here. Never edit one that has shipped. */
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_access_audit.js';
import * as m0003 from './0003_consent.js';
import * as m0004 from './0004_rights_backup.js';

export interface Migration { name: string; up: string }
export const migrations: Migration[] = [m0001, m0002, m0003, m0004];
