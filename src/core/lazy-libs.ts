/**
 * The document libraries (PDF, DOCX, XLSX) load on first use. Together they hold about 45 MB of a server's memory
 * that most requests never need: reports and exports are rare next to reads and writes.
 */
import type PDFDocument from 'pdfkit';
import type ExcelJS from 'exceljs';

let pdf: Promise<unknown> | undefined;
let docx: Promise<typeof import('docx')> | undefined;
let excel: Promise<unknown> | undefined;

/** pdfkit and exceljs are CommonJS: a dynamic import hands their exports over as `default`. */
export const loadPdfkit = async () => ((await (pdf ??= import('pdfkit'))) as { default: typeof PDFDocument }).default;
export const loadDocx = () => (docx ??= import('docx'));
export const loadExcel = async () => ((await (excel ??= import('exceljs'))) as { default: typeof ExcelJS }).default;
