/**
 * Custodian detect: find Chinese personal information (PI) in text and files, classify table
 * columns, and produce de-identified copies. See docs/detect.md.
 */
export { DETECT_TYPES, TYPE_LABELS, type DetectType, type Finding, type ScanOptions } from './types.js';
export { scanText } from './scan.js';
export { scanFile, scanBuffer, type FileFinding, type FileScanOptions } from './files.js';
export { classifyColumns, suggestCollection, type ColumnSuggestion } from './classify.js';
export { redactText, redactBuffer, redactFile, pseudonymToken, type RedactMode, type RedactOptions } from './redact.js';
export { DetectInputError } from './errors.js';
export { formatFindingsTable } from './table.js';
export { isValidHkId, isValidTaiwanId } from './structured.js';
