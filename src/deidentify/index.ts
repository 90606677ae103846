/**
 * Custodian de-identification of datasets: generalisation of quasi-identifiers, k-anonymity check
 * and enforcement, and differential-privacy counts/sums with a per-dataset epsilon budget.
 */
export { ageFromBirthDate, ageBand, generaliseRegion, generaliseDate, truncatePostalCode, HIERARCHIES, PROVINCE_NAMES, type Hierarchy } from './generalise.js';
export { kAnonymity, enforceKAnonymity, type Row, type KAnonymityReport, type EnforceOptions, type EnforceResult } from './kanon.js';
export { createPrivacyBudget, laplaceCount, laplaceSum, laplaceNoise, PrivacyBudgetError, type PrivacyBudget, type LedgerEntry, type DpOptions } from './dp.js';
// issue 11: differential-privacy analytics over the vault with a per-tenant budget ledger; Paillier sums
export { createAnalyticsService, bucketOf, bucketDomain, LEDGER_SORT, type AnalyticsService, type DpQueryInput } from './analytics-service.js';
export { createPaillierService, encodeSigned, decodeSigned, type PaillierService } from './paillier-service.js';
