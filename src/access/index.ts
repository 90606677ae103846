export { createAccessService, BASIS_WARNINGS, basisRefusal, hashApiKey, type Refusal, PURPOSE_SORT, ROLE_SORT, API_KEY_SORT, type PurposeListQuery, type RoleListQuery, type ApiKeyListQuery, type AccessService, type PurposeInput, type PurposePatch, type RoleInput } from './access-service.js';
export * from './access-types.js';
export { createStaffService, type StaffService, MAX_FAILED_LOGINS, STAFF_SORT, TRAINING_SORT, type StaffListQuery, type TrainingListQuery } from './staff-service.js';
