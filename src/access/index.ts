export { createAccessService, hashApiKey, type AccessService, type PurposeInput, type RoleInput } from './access-service.js';
export * from './access-types.js';
export { createStaffService, type StaffService, MAX_FAILED_LOGINS } from './staff-service.js';
