/** Public surface of consent: notices, the consent ledger and the register of processing activities. */
export { createConsentService, type ConsentService, type ConsentDeps, type GrantContext, type ConsentFilter, CONSENT_SORT } from './consent-service.js';
export { createNoticeService, type NoticeService, type NoticeDeps, NOTICE_SORT, type NoticeListQuery } from './notice-service.js';
export { createActivitiesService, type ActivitiesService, type ActivityDeps, type ActivityFilter, type ActivityView, ACTIVITY_SORT } from './activities-service.js';
export * from './consent-types.js';
