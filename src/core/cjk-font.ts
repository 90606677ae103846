/**
 * The one CJK font lookup of every PDF Custodian renders (assessment, incident and compliance reports, destruction
 * certificates): CUSTODIAN_PDF_FONT (a .ttf/.otf/.ttc file; CUSTODIAN_PDF_FONT_FAMILY names the face inside a
 * collection), else Noto Sans SC from the npm package @embedpdf/fonts-sc (SIL OFL 1.1, installed with Custodian), else
 * a common system CJK font. Without any, a PDF is refused with `report.pdf_font_missing` (DOCX/XLSX/JSON still work).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from './errors.js';

export interface FontFace { file: string; family?: string }
export interface CjkFonts { regular: FontFace; bold: FontFace }

const require = createRequire(import.meta.url);

/** System fonts: [regular file, its face, bold file, its face]. */
const SYSTEM_FONTS: Array<[string, string | undefined, string, string | undefined]> = [
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular', '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', 'NotoSansCJKsc-Bold'],
  ['/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular', '/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc', 'NotoSansCJKsc-Bold'],
  ['/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular', '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc', 'NotoSansCJKsc-Bold'],
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYiMicroHei', '', undefined],
  ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'WenQuanYiZenHei', '', undefined],
  ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', undefined, '', undefined],
  ['/System/Library/Fonts/PingFang.ttc', 'PingFangSC-Regular', '/System/Library/Fonts/PingFang.ttc', 'PingFangSC-Semibold'],
  ['C:\\Windows\\Fonts\\msyh.ttc', 'MicrosoftYaHei', 'C:\\Windows\\Fonts\\msyhbd.ttc', 'MicrosoftYaHei-Bold'],
];

function packagedFonts(): CjkFonts | null {
  try {
    const dir = join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts');
    const regular = join(dir, 'NotoSansHans-Regular.otf');
    const bold = join(dir, 'NotoSansHans-Bold.otf');
    if (existsSync(regular) && existsSync(bold)) return { regular: { file: regular }, bold: { file: bold } };
  } catch { /* the package is not installed */ }
  return null;
}

/** The CJK fonts a PDF will use, or null when none is available. */
export function cjkFonts(env: NodeJS.ProcessEnv = process.env): CjkFonts | null {
  const own = env.CUSTODIAN_PDF_FONT;
  if (own) {
    if (!existsSync(own)) return null;
    const face = { file: own, family: env.CUSTODIAN_PDF_FONT_FAMILY || undefined };
    return { regular: face, bold: face };
  }
  const packaged = packagedFonts();
  if (packaged) return packaged;
  for (const [file, family, boldFile, boldFamily] of SYSTEM_FONTS) {
    if (!existsSync(file)) continue;
    return { regular: { file, family }, bold: boldFile && existsSync(boldFile) ? { file: boldFile, family: boldFamily } : { file, family } };
  }
  return null;
}

/** Register `cjk` and `cjk-bold` on a pdfkit document; refuses clearly when the server has no CJK font. */
export function useCjkFonts(pdf: { registerFont(name: string, src: string, family?: string): unknown }, env: NodeJS.ProcessEnv = process.env): void {
  const fonts = cjkFonts(env);
  if (!fonts) {
    throw new AppError(422, 'report.pdf_font_missing', '服务器上没有中文字体，无法生成 PDF：请安装 fonts-noto-cjk 或设置 CUSTODIAN_PDF_FONT；DOCX/XLSX/JSON 可用',
      'No CJK font on the server, so no PDF: install fonts-noto-cjk or set CUSTODIAN_PDF_FONT; DOCX, XLSX and JSON work');
  }
  pdf.registerFont('cjk', fonts.regular.file, fonts.regular.family);
  pdf.registerFont('cjk-bold', fonts.bold.file, fonts.bold.family);
}
