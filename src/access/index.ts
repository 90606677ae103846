export { createAccessService, hashApiKey, type AccessService, type PurposeInput, type RoleInput } from './access-service.js';
export * from './access-types.js';
