/**
 * `custodian classify-table`: the columns of a customer's own PostgreSQL table get a PI type and GB/T 35273
 * category, read in a read-only transaction, and become a vault collection definition (issue 6).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cnIdCheckChar } from '../src/core/pi-types.js';

const URL_ = process.env.CUSTODIAN_TEST_DATABASE_URL;
const run = promisify(execFile);
async function cli(args: string[]) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then((m) => m.main(['node', 'custodian', ...${JSON.stringify(args)}]))`], { cwd: process.cwd() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) { const x = e as { code: number; stdout: string; stderr: string }; return { code: x.code, stdout: x.stdout, stderr: x.stderr }; }
}

describe.runIf(URL_)('classify-table on PostgreSQL', () => {
  const schema = `ct_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: URL_ });
  beforeAll(async () => {
    await c.connect();
    await c.query(`create schema ${schema}; create table ${schema}.crm_customers (id serial primary key, cust_name text, mobile text, id_no text, order_no text, created date)`);
    const names = ['张伟', '王芳', '李娜', '刘洋', '陈静', '欧阳娜娜', '赵磊', '孙丽'];
    for (let i = 0; i < 40; i++) {
      const first17 = `11010519${70 + (i % 20)}0${1 + (i % 9)}1${i % 10}${String(100 + i).slice(-3)}`;
      await c.query(`insert into ${schema}.crm_customers (cust_name, mobile, id_no, order_no, created) values ($1, $2, $3, $4, $5)`,
        [names[i % names.length], `139${String(10_000_000 + i * 7919).slice(-8)}`, first17 + cnIdCheckChar(first17), `SO2026${String(100_000 + i)}`, `2026-0${1 + (i % 9)}-1${i % 10}`]);
    }
  });
  afterAll(async () => { await c.query(`drop schema ${schema} cascade`); await c.end(); });

  it('suggests each column\'s PI type and category, and a collection definition', async () => {
    const r = await cli(['classify-table', `${schema}.crm_customers`, '--database-url', URL_ as string]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows_sampled).toBe(40);
    const byCol = Object.fromEntries(out.columns.map((x: { column: string; detectType: string | null; category: string }) => [x.column, x]));
    expect(byCol.cust_name.detectType).toBe('person_name');
    expect(byCol.mobile).toMatchObject({ detectType: 'mobile', category: 'basic' }); // GB/T 35273 A: 个人基本资料
    expect(byCol.id_no).toMatchObject({ detectType: 'cn_id', category: 'identity' });
    expect(byCol.order_no.detectType).toBeNull();
    const coll = JSON.parse((await cli(['classify-table', `${schema}.crm_customers`, '--database-url', URL_ as string, '--emit-collection', 'customers'])).stdout);
    expect(coll.name).toBe('customers');
    expect(coll.fields.find((f: { name: string }) => f.name === 'mobile')).toMatchObject({ type: 'mobile', searchable: true });
  });

  it('refuses a name that is not a table identifier and a table that does not exist, clearly', async () => {
    const bad = await cli(['classify-table', 'x; drop table y', '--database-url', URL_ as string]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not a table name/);
    const missing = await cli(['classify-table', `${schema}.nope`, '--database-url', URL_ as string]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/custodian classify-table: .*nope/);
    // Nothing changed in the customer's table.
    expect((await c.query(`select count(*)::int as n from ${schema}.crm_customers`)).rows[0].n).toBe(40);
  });
});
