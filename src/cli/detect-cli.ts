/** `custodian scan` and `custodian redact`: local files, no store needed. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FileFinding } from '../detect/index.js';
import { DetectInputError } from '../detect/errors.js';

/** Loaded by the detect commands only: `custodian serve` does not carry the scanner's tables. */
const detect = () => import('../detect/index.js');

export function detectCommands(program: Command) {
  program.command('scan').description('发现文件中的个人信息（TXT/CSV/JSON/XLSX/DOCX） / find PI in files')
    .argument('<files...>')
    .addOption(new Option('--format <f>', 'output format').choices(['json', 'table']).default('table'))
    .option('--no-names', 'skip the name/address model (faster)')
    .option('--emit-collection <name>', 'suggest a vault collection definition from the columns of a CSV/XLSX')
    .action(async (files: string[], o) => {
      const { classifyColumns, formatFindingsTable, scanFile, suggestCollection } = await detect();
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
  program.command('classify-table').description('为 PostgreSQL 表的每一列建议个人信息类型与类别（GB/T 35273） / suggest each column\'s PI type and category for a PostgreSQL table')
    .argument('<table>', 'table name, optionally schema.table')
    .requiredOption('--database-url <url>', 'postgres://… of the database that holds the table (read only: one SELECT … LIMIT)')
    .option('--sample <n>', 'rows to sample', (v) => Number(v), 200)
    .option('--emit-collection <name>', 'print a vault collection definition instead of the per-column suggestions')
    .action(async (table: string, o) => {
      const { classifyColumns, suggestCollection } = await detect();
      const client = new pg.Client({ connectionString: o.databaseUrl, connectionTimeoutMillis: 5000 });
      try {
        if (!/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(table)) throw new Error(`表名不合法 / not a table name: ${table}`);
        if (!Number.isInteger(o.sample) || o.sample < 1 || o.sample > 100_000) throw new Error('--sample must be 1 to 100000');
        await client.connect();
        // A read-only transaction: classification never changes the customer's database.
        await client.query('begin read only');
        const ident = table.split('.').map((p) => client.escapeIdentifier(p)).join('.');
        const res = await client.query({ text: `select * from ${ident} limit $1`, values: [o.sample], rowMode: 'array' });
        await client.query('rollback');
        const names = res.fields.map((f) => f.name);
        async function* rows() {
          for (const r of res.rows as unknown[][]) yield Object.fromEntries(names.map((n, i) => [n, r[i] instanceof Date ? (r[i] as Date).toISOString().slice(0, 10) : r[i] === null ? '' : String(r[i])]));
        }
        const cols = await classifyColumns(rows(), { sampleRows: o.sample });
        console.log(JSON.stringify(o.emitCollection ? suggestCollection(o.emitCollection, cols) : { table, rows_sampled: res.rows.length, columns: cols }, null, 2));
      } catch (e) {
        console.error(`custodian classify-table: ${e instanceof DetectInputError ? `${e.zh} / ${e.en}` : (e as Error).message}`);
        process.exitCode = 1;
      } finally { await client.end().catch(() => undefined); }
    });
  program.command('redact').description('生成去标识化副本 / write a de-identified copy of a file')
    .argument('<file>')
    .option('--out <file>', 'output file (default FILE.redacted.EXT)')
    .addOption(new Option('--mode <m>', 'mask | tag | pseudonym').choices(['mask', 'tag', 'pseudonym']).default('mask'))
    .option('--key-hex <hex>', '32-byte pseudonymisation key in hex (pseudonym mode; default: random per run)')
    .action(async (file: string, o) => {
      const { redactFile } = await detect();
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
