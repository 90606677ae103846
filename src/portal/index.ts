export { createPortalService, PORTAL_REQUEST_KINDS, type PortalService, type PortalDeps, type PortalLimits, type CodeRequest, type SignInInput, OUTBOX_SORT, type OutboxQuery } from './portal-service.js';
export { CODE_TTL_MINUTES, MAX_ATTEMPTS, CHANNEL_KIND, type PortalChannel } from './portal-rules.js';
