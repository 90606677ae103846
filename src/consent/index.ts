export { createConsentService, type ConsentService, type NoticeInput, type ConsentInput } from './consent-service.js';
