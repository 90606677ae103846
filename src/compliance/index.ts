/** Compliance (issue 11): audits mapped to PIPL articles, reports and the transparency page, the doctor, documents. */
export { renderDoc, renderPdf, renderDocx, renderXlsx, CONTENT_TYPES, type Doc, type DocFormat, type Section } from './documents.js';
export { certificateDoc } from './certificate-doc.js';
export { createDoctor, npmAuditCounts, type Doctor, type DoctorReport, type DoctorCheck, type CheckStatus } from './doctor.js';
export { createComplianceAuditService, type ComplianceAuditService, type CreateAuditInput, type AnswerInput, type AttachmentInput, type SettingsInput, COMPLIANCE_AUDIT_SORT } from './audit-service.js';
export { createReportService, nextMonthlyRun, previousMonth, type ReportService, type TransparencyInput, REPORT_SORT } from './report-service.js';
export { createAuditorService, AUDITOR_ROLE, MAX_ENGAGEMENT_DAYS, type AuditorService, type GrantAuditorInput } from './auditor-service.js';
export { CHECKLIST, AUDIT_RULES, auditIntervalMonths, nextAuditDue, consecutiveSameFirm, auditOutcome, addMonths, type ItemStatus } from './audit-rules.js';
export { renderTransparencyHtml } from './transparency-html.js';
export { PIPL_RULES, type PiplRule, type Enforcement } from './pipl-rules.js';
export { createTrainingService, gradeQuiz, REMIND_DAYS, type TrainingService, type CourseInput, type ViolationInput, ACCOUNTABILITY_SORT } from './training-service.js';
