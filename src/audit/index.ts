export { createAuditService, type AuditService, type Actor, type AuditInput, type VerifyResult, type AuditQuery } from './audit-service.js';
