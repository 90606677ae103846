export const ACTIONS = ['read', 'search', 'write', 'update', 'erase', 'export'] as const;
export type PiAction = (typeof ACTIONS)[number];
export const LEGAL_BASES = ['consent', 'contract', 'hr', 'legal_obligation', 'emergency', 'public_interest_news', 'public_info', 'other_law'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];
/** Administrative permissions (no PI): what a role may manage. `admin` means all of them. */
export const PERMISSIONS = ['admin', 'collections.manage', 'purposes.manage', 'roles.manage', 'keys.manage', 'audit.read', 'consents.manage', 'scan.use', 'requests.manage', 'retention.manage', 'backup.manage',
  // issue 10: assessments, risks, third parties and sharing, transfers, complaints
  'assessments.manage', 'assessments.approve', 'risks.manage', 'third_parties.manage', 'shares.create', 'transfers.manage', 'complaints.manage',
  // issue 4
  'activities.manage',
  // issue 9
  'incidents.manage',

  // issue 11: compliance audits and reports, deregistration, external auditors, privacy-preserving analytics
  'compliance.manage', 'compliance.read', 'deregistration.manage', 'deregistration.approve', 'analytics.use'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Grant {
  collection: string; // name or "*"
  fields: string[]; // names or ["*"]
  actions: PiAction[];
  purposes: string[]; // names or ["*"]
  view: 'plain' | 'masked';
}
export interface Role { name: string; title: string | null; grants: Grant[]; permissions: Permission[]; builtin: boolean }

export interface FieldDecision { field: string; view: 'plain' | 'masked' }
export type Decision =
  | { allowed: true; fields: FieldDecision[] }
  | { allowed: false; rule: string; zh: string; en: string; fields?: string[] };
