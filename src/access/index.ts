export { createAccessService, BASIS_WARNINGS, basisRefusal, hashApiKey, type Refusal, type AccessService, type PurposeInput, type PurposePatch, type RoleInput } from './access-service.js';
export * from './access-types.js';
export { createStaffService, type StaffService, MAX_FAILED_LOGINS } from './staff-service.js';
