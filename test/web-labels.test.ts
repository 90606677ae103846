/** The console's copies of the server's enumerations (web/src/labels.ts) must match the server's. */
import { describe, expect, it } from 'vitest';
import { ACTIONS, LEGAL_BASES, PERMISSIONS } from '../src/access/index.js';
import { DETECT_TYPES } from '../src/detect/index.js';
import * as web from '../web/src/labels.js';

describe('web labels mirror the server', () => {
  it('legal bases, actions and permissions, each with zh and en labels', () => {
    expect([...web.LEGAL_BASES]).toEqual([...LEGAL_BASES]);
    expect([...web.ACTIONS]).toEqual([...ACTIONS]);
    expect([...web.PERMISSIONS]).toEqual([...PERMISSIONS]);
    for (const b of LEGAL_BASES) expect(web.LEGAL_BASIS_LABELS[b].zh && web.LEGAL_BASIS_LABELS[b].en).toBeTruthy();
    for (const p of PERMISSIONS) expect(web.PERMISSION_LABELS[p].zh && web.PERMISSION_LABELS[p].en).toBeTruthy();
  });
  it('every detector finding type has a label', () => {
    for (const t of DETECT_TYPES) expect(web.FINDING_LABELS[t], t).toBeTruthy();
  });
});
