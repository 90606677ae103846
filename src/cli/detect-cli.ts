/** `custodian scan` and `custodian redact`: local files, no store needed. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { classifyColumns, DetectInputError, formatFindingsTable, redactFile, scanFile, suggestCollection, type FileFinding } from '../detect/index.js';

export function detectCommands(program: Command) {
  program.command('scan').description('发现文件中的个人信息（TXT/CSV/JSON/XLSX/DOCX） / find PI in files')
    .argument('<files...>')
    .addOption(new Option('--format <f>', 'output format').choices(['json', 'table']).default('table'))
    .option('--no-names', 'skip the name/address model (faster)')
    .option('--emit-collection <name>', 'suggest a vault collection definition from the columns of a CSV/XLSX')
    .action(async (files: string[], o) => {
      try {
        if (o.emitCollection) {
          const cols = await classifyColumns(files[0]);
          console.log(JSON.stringify(suggestCollection(o.emitCollection, cols), null, 2));
          return;
        }
        const all: FileFinding[] = [];
        const tty = process.stderr.isTTY && o.format === 'table';
        for (const file of files) {
          for await (const f of scanFile(file, { names: o.names, onProgress: tty ? (d, t) => process.stderr.write(`\r${file}: ${t ? Math.round((d / t) * 100) : 0}%`) : undefined })) all.push(f);
          if (tty) process.stderr.write('\n');
        }
        if (o.format === 'json') {
          console.log(JSON.stringify({ findings: all.map((f) => ({ file: f.file, type: f.type, line: f.line, column: f.column, start: f.start, end: f.end, preview: f.preview, score: f.score, ...(f.location ? { location: f.location } : {}) })) }));
        } else console.log(formatFindingsTable(all));
      } catch (e) {
        console.error(`custodian scan: ${e instanceof DetectInputError ? `${e.zh} / ${e.en}` : (e as Error).message}`);
        process.exit(1);
      }
    });
  program.command('redact').description('生成去标识化副本 / write a de-identified copy of a file')
    .argument('<file>')
    .option('--out <file>', 'output file (default FILE.redacted.EXT)')
    .addOption(new Option('--mode <m>', 'mask | tag | pseudonym').choices(['mask', 'tag', 'pseudonym']).default('mask'))
    .option('--key-hex <hex>', '32-byte pseudonymisation key in hex (pseudonym mode; default: random per run)')
    .action(async (file: string, o) => {
      try {
        const out = o.out ?? file.replace(/(\.[^./]+)?$/, (ext) => `.redacted${ext}`);
        const key = o.mode === 'pseudonym' ? (o.keyHex ? Buffer.from(o.keyHex, 'hex') : randomBytes(32)) : undefined;
        const res = await redactFile(file, out, { mode: o.mode, key });
        console.log(`已写入 written ${out}: ${res.findings} findings ${o.mode === 'mask' ? 'masked' : o.mode === 'tag' ? 'tagged' : 'pseudonymised'}`);
      } catch (e) {
        console.error(`custodian redact: ${e instanceof DetectInputError ? `${e.zh} / ${e.en}` : (e as Error).message}`);
        process.exit(1);
      }
    });
}
