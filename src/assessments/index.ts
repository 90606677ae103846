export { createAssessmentService, presentAssessment, type AssessmentService, type AssessmentDeps, type AssessmentView, ASSESSMENT_SORT } from './assessment-service.js';
export { assessmentTriggers, triggersCovered, deletionLocked, LOCK_YEARS, addYears } from './assessment-rules.js';
export { QUESTIONNAIRE, type Step, type Question } from './questionnaire.js';
export { renderPdf, renderDocx, type ReportInput } from './assessment-report.js';
export * from './assessment-types.js';
