export { createRetentionService, type RetentionService, type RetentionDeps, type RuleInput, type HoldInput } from './retention-service.js';
