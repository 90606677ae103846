/** Input errors of the detect module, with a stable code, an HTTP status and zh-CN + en messages. */
const MESSAGES = {
  'detect.binary': { status: 415, zh: '文件是二进制格式，无法扫描', en: 'the file is binary and cannot be scanned' },
  'detect.encoding': { status: 415, zh: '无法识别文件编码（支持 UTF-8、UTF-16、GBK/GB18030）', en: 'unrecognised text encoding (UTF-8, UTF-16 and GBK/GB18030 are supported)' },
  'detect.too_large': { status: 413, zh: '文件过大或解压后超出限制', en: 'the file is too large or expands beyond the limit' },
  'detect.empty': { status: 400, zh: '文件为空', en: 'the file is empty' },
  'detect.format': { status: 415, zh: '文件格式无效或不受支持', en: 'invalid or unsupported file format' },
  'detect.key': { status: 400, zh: '假名化需要 32 字节密钥', en: 'pseudonym mode needs a 32-byte key' },
} as const;
export type DetectErrorCode = keyof typeof MESSAGES;

export class DetectInputError extends Error {
  readonly code: string;
  readonly status: number;
  readonly zh: string;
  readonly en: string;
  constructor(code: DetectErrorCode, detail?: string) {
    const m = MESSAGES[code];
    super(`${m.zh} / ${m.en}${detail ? ` (${detail})` : ''}`);
    this.name = 'DetectInputError';
    this.code = code;
    this.status = m.status;
    this.zh = m.zh;
    this.en = m.en + (detail ? ` (${detail})` : '');
  }
}
