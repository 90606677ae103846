export { createTenantService, type TenantService } from './tenant-service.js';
