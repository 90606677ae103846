export { createRiskService, presentRisk, requireAnyPermission, toDay, RISK_STATUSES, TREATMENTS, RISK_SOURCES, type RiskService, type RiskView, type RiskInput, type RiskPatch, type ReviewInput, type ListRisksInput, type RiskStatus, RISK_SORT } from './risk-service.js';
export { DEFAULT_MATRIX, matrixProblems, levelOf, levelRank, aboveAcceptable, scaleProblem, loadMatrix, type RiskMatrix, type Scale, type LevelBand } from './risk-matrix.js';
export { chinaDate, addCalendarDaysTo } from './risk-dates.js';
