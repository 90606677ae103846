import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import yazl from 'yazl';
import {
  scanText, scanFile, scanBuffer, classifyColumns, suggestCollection, redactText, redactBuffer, redactFile,
  pseudonymToken, DetectInputError, formatFindingsTable, isValidHkId, isValidTaiwanId,
} from './index.js';
import { Rng, genCnId, genBadCnId, genUscc, genBankCard, genHkId, genTaiwanId } from './synth.js';
import { LIMITS } from './formats.js';

const r = new Rng(42);
const types = (t: string) => scanText(t).map((f) => [f.type, t.slice(f.start, f.end)]);
const key = Buffer.alloc(32, 7);

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [n, c] of Object.entries(files)) z.addBuffer(Buffer.from(c), n);
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
const XLSX = {
  '[Content_Types].xml': '<Types/>',
  'xl/workbook.xml': '<workbook xmlns:r="r"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>',
  'xl/_rels/workbook.xml.rels': '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
  'xl/sharedStrings.xml': '<sst><si><t>姓名</t></si><si><t>手机</t></si><si><t>张伟</t></si><si><t>备注</t></si></sst>',
  'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>3</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>13912345678</v></c><c r="C2" t="inlineStr"><is><t>无</t></is></c></row></sheetData></worksheet>',
};

describe('structured recognisers', () => {
  it('finds valid IDs and refuses wrong check digits and embedded runs', () => {
    const id = genCnId(r), bad = genBadCnId(r);
    expect(types(`身份证号${id}`)).toEqual([['cn_id', id]]);
    expect(types(`身份证号${bad}`)).toEqual([]);
    expect(types(`编号9${id}1`)).toEqual([]);
  });
  it('legacy 15-digit ID only with context', () => {
    expect(types('身份证 110101900307123')).toEqual([['cn_id', '110101900307123']]);
    expect(types('编号 110101900307123')).toEqual([]);
  });
  it('USCC with check char', () => {
    const u = genUscc(r);
    expect(types(`信用代码：${u}`)).toEqual([['uscc', u]]);
    expect(types(`信用代码：${u.slice(0, 17)}${u[17] === '0' ? '1' : '0'}`)).toEqual([]);
  });
  it('mobile variants and traps', () => {
    expect(types('电话+86 138 0013 8000')).toEqual([['mobile', '+86 138 0013 8000']]);
    expect(types('手机 138-0013-8000。')).toEqual([['mobile', '138-0013-8000']]);
    expect(types('13800138000')).toEqual([['mobile', '13800138000']]);
    expect(types('编号128001380001')).toEqual([]);
    expect(types('12800138000')).toEqual([]); // 12x is not allocated
  });
  it('landlines with area codes', () => {
    expect(types('电话(010)62345678')).toEqual([['landline', '(010)62345678']]);
    expect(types('座机 0755-86013388')).toEqual([['landline', '0755-86013388']]);
  });
  it('bank cards need Luhn', () => {
    const c = genBankCard(r);
    expect(types(`卡号${c}`)).toEqual([['bank_card', c]]);
    const bad = c.slice(0, -1) + String((Number(c.slice(-1)) + 1) % 10);
    expect(types(`卡号${bad}`)).toEqual([]);
  });
  it('passport, permits, HK and Taiwan IDs', () => {
    const hk = genHkId(r), tw = genTaiwanId(r);
    expect(isValidHkId(hk.replace(/[()]/g, ''))).toBe(true);
    expect(isValidTaiwanId(tw)).toBe(true);
    expect(isValidTaiwanId(tw.slice(0, 9) + String((Number(tw[9]) + 1) % 10))).toBe(false);
    expect(types(`护照E12345678，回乡证H12345678，香港身份证${hk}，台湾身份证${tw}`)).toEqual([
      ['passport', 'E12345678'], ['mainland_permit', 'H12345678'], ['hk_id', hk], ['taiwan_id', tw]]);
  });
  it('plates, email, IP, birth dates, postal codes next to an address', () => {
    expect(types('车牌粤B·D12345和京A12345')).toEqual([['plate', '粤B·D12345'], ['plate', '京A12345']]);
    expect(types('邮箱 zhang.san@example.com.cn')).toEqual([['email', 'zhang.san@example.com.cn']]);
    expect(types('IP 192.168.1.20 和 2001:db8::1，时间12:30:45')).toEqual([['ip', '192.168.1.20'], ['ip', '2001:db8::1']]);
    expect(types('出生日期：1990年5月12日')).toEqual([['birth_date', '1990年5月12日']]);
    expect(types('会议日期：1990年5月12日')).toEqual([]);
    expect(types('邮编100080')).toEqual([['postal_code', '100080']]);
    expect(types('共100080件')).toEqual([]);
  });
  it('hard negatives: order numbers, timestamps, amounts, tracking numbers', () => {
    expect(scanText('订单号：202405201234567890，下单时间2024-05-20 12:30:45，金额¥12,345.67，运单SF1234567890123，时间戳1716179445123', { names: false })).toEqual([]);
  });
  it('full-width digits keep offsets', () => {
    const t = '手机：１３８００１３８０００';
    const f = scanText(t);
    expect(f[0]).toMatchObject({ type: 'mobile', start: 3, end: 14, preview: '138****8000', line: 1, column: 4 });
  });
  it('full-width digits in a long text (typed-array path) keep offsets', () => {
    const pad = '本合同自双方签字盖章之日起生效，未尽事宜由双方另行协商解决。'.repeat(4);
    const t = `${pad}联系电话：１３８００１３８０００，邮箱ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ`;
    const f = scanText(t, { names: false });
    expect(f.map((x) => [x.type, x.start, x.end])).toEqual([['mobile', pad.length + 5, pad.length + 16], ['email', pad.length + 19, pad.length + 34]]);
  });
  it('mobile allocations follow the numbering plan (1740x satellite block, unallocated 140)', () => {
    expect(types('电话17400123456')).toEqual([['mobile', '17400123456']]);
    expect(types('电话17460123456')).toEqual([]);
    expect(types('电话14012345678')).toEqual([]);
    expect(types('电话19912345678')).toEqual([['mobile', '19912345678']]);
  });
  it('line and column on a long line with many findings', () => {
    const ids = Array.from({ length: 50 }, () => genCnId(r));
    const t = `第一行\n${ids.join('，')}\n末行${ids[0]}`;
    const f = scanText(t, { names: false });
    expect(f).toHaveLength(51);
    expect(f[49]).toMatchObject({ line: 2, column: 1 + 49 * 19 });
    expect(f[50]).toMatchObject({ line: 3, column: 3 });
  });
});

describe('names and addresses', () => {
  it('forms and contracts', () => {
    const t = '姓名：王建国\n住址：浙江省杭州市西湖区文三路88号2幢301室\n联系人：李秀英女士';
    expect(types(t)).toEqual([['person_name', '王建国'], ['address', '浙江省杭州市西湖区文三路88号2幢301室'], ['person_name', '李秀英']]);
    const f = scanText(t);
    expect(f[1]).toMatchObject({ line: 2, column: 4, preview: '浙江省杭州市西湖区****' });
    expect(f[0].preview).toBe('王**');
  });
  it('chat-style names, compound surnames and labels', () => {
    expect(types('用户：你好，我是王小明，想问一下退款进度')).toEqual([['person_name', '王小明']]);
    expect(types('联系人：欧阳娜娜，电话13912345678')).toEqual([['person_name', '欧阳娜娜'], ['mobile', '13912345678']]);
    expect(types('出让方（甲方）：张伟\n受让方（乙方）：刘洋')).toEqual([['person_name', '张伟'], ['person_name', '刘洋']]);
  });
  it('a bare division name is not an address', () => {
    expect(scanText('海南某某供应链管理有限公司于2020年在西藏自治区成立，主营餐饮业务。', { types: ['address'] })).toEqual([]);
  });
  it('names off', () => {
    expect(scanText('姓名：王建国', { names: false })).toEqual([]);
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detect-'));
  it('TXT with line/column, GBK decoding, progress', async () => {
    const p = join(dir, 'a.txt');
    writeFileSync(p, iconv.encode('第一行\n联系人：张伟，手机13912345678\n', 'gbk'));
    const seen: number[] = [];
    const out = [];
    for await (const f of scanFile(p, { onProgress: (d) => seen.push(d) })) out.push(f);
    expect(out.map((f) => [f.type, f.line, f.column, f.preview])).toEqual([['person_name', 2, 5, '张*'], ['mobile', 2, 10, '139****5678']]);
    expect(seen.at(-1)).toBe(readFileSync(p).length);
  });
  it('CSV cells with header context', async () => {
    const out = await scanBuffer('c.csv', Buffer.from('姓名,手机,备注\n张伟,13912345678,无\n'));
    expect(out.map((f) => [f.type, f.location?.cell])).toEqual([['person_name', 'A2'], ['mobile', 'B2']]);
  });
  it('CSV records with quoted line breaks (RFC 4180) keep their cells, lines and redaction', async () => {
    const csv = '姓名,备注,手机\n张伟,"第一行，""引号""\n电话 13800138000",13912345678\n李娜,无,13700137000\n';
    const out = await scanBuffer('q.csv', Buffer.from(csv));
    expect(out.filter((f) => f.type === 'mobile').map((f) => [f.location?.cell, f.line])).toEqual([['B2', 3], ['C2', 3], ['C3', 4]]); // cell rows count records; lines are physical
    const red = await redactBuffer('q.csv', Buffer.from(csv), { mode: 'mask' });
    expect(red.data.toString()).toBe('姓名,备注,手机\n张*,"第一行，""引号""\n电话 138****8000",139****5678\n李*,无,137****7000\n');
  });
  it('JSON paths', async () => {
    const out = await scanBuffer('x.json', Buffer.from('{"user":{"phone":"13912345678","ids":[13800138000]}}'));
    expect(out.map((f) => [f.type, f.location?.path])).toEqual([['mobile', '$.user.phone'], ['mobile', '$.user.ids[0]']]);
  });
  it('XLSX sheet/cell and DOCX paragraphs', async () => {
    const x = await scanBuffer('t.xlsx', await zipOf(XLSX));
    expect(x.map((f) => [f.type, f.location?.sheet, f.location?.cell])).toEqual([['person_name', '客户', 'A2'], ['mobile', '客户', 'B2']]);
    const d = await scanBuffer('t.docx', await zipOf({ 'word/document.xml': '<w:document><w:body><w:p><w:r><w:t>手机</w:t></w:r><w:r><w:t>139123</w:t></w:r><w:r><w:t>45678</w:t></w:r></w:p></w:body></w:document>' }));
    expect(d.map((f) => [f.type, f.preview])).toEqual([['mobile', '139****5678']]);
  });
  it('bad input: empty, binary, unknown encoding, zip bomb, fake xlsx', async () => {
    const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { expect(e).toBeInstanceOf(DetectInputError); return (e as DetectInputError).code; } };
    expect(await code(scanBuffer('e.txt', Buffer.alloc(0)))).toBe('detect.empty');
    expect(await code(scanBuffer('b.bin', Buffer.from([1, 2, 0, 4, 5])))).toBe('detect.binary');
    expect(await code(scanBuffer('p.pdf', Buffer.from('%PDF-1.4 ...')))).toBe('detect.binary');
    expect(await code(scanBuffer('x.txt', Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x80, 0x81, 0xfe, 0xc0])))).toBe('detect.encoding');
    expect(await code(scanBuffer('x.xlsx', Buffer.from('not a zip')))).toBe('detect.format');
    const saved = LIMITS.maxZipEntryBytes;
    LIMITS.maxZipEntryBytes = 100_000;
    try {
      const big = await zipOf({ 'xl/workbook.xml': '<workbook/>', 'xl/worksheets/sheet1.xml': ' '.repeat(1_000_000) });
      expect(await code(scanBuffer('bomb.xlsx', big))).toBe('detect.too_large');
    } finally { LIMITS.maxZipEntryBytes = saved; }
    const e = new DetectInputError('detect.empty');
    expect([e.status, e.zh, e.en]).toEqual([400, '文件为空', 'the file is empty']);
  }, 30_000);
  it('a very long line is scanned in bounded windows without losing findings at the seams', async () => {
    const unit = '无关文字'.repeat(100) + '手机13912345678';
    const n = Math.ceil((LIMITS.window * 2.5) / unit.length);
    const out = await scanBuffer('long.txt', Buffer.from(unit.repeat(n)), { names: false });
    expect(out.length).toBe(n);
    expect(new Set(out.map((f) => f.start)).size).toBe(n);
  });
});

describe('classification', () => {
  it('columns of rows and a collection definition', async () => {
    async function* rows() {
      for (let i = 0; i < 20; i++) yield { '客户姓名': ['张伟', '李娜', '王芳'][i % 3], 'Mobile No': `1391234${String(1000 + i)}`, 'id_card': genCnId(r), '金额': String(i * 10) };
    }
    const cols = await classifyColumns(rows());
    expect(cols.map((c) => [c.column, c.type, c.category])).toEqual([
      ['客户姓名', 'person_name', 'basic'], ['Mobile No', 'mobile', 'basic'], ['id_card', 'cn_id', 'identity'], ['金额', 'number', 'other']]);
    expect(cols[2].confidence).toBeGreaterThan(0.9);
    const coll = suggestCollection('客户 表', cols);
    expect(coll.fields.map((f) => f.name)).toEqual(['person_name', 'mobile_no', 'id_card', 'number']);
    for (const f of coll.fields) expect(f.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(coll.name).toMatch(/^[a-z][a-z0-9_]*$/);
  });
  it('CSV path', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'cls-')), 'c.csv');
    writeFileSync(p, '姓名,邮箱\n张伟,a@example.com\n李娜,b@example.com\n');
    const cols = await classifyColumns(p);
    expect(cols.map((c) => c.type)).toEqual(['person_name', 'email']);
  });
});

describe('redaction', () => {
  const t = '联系人：张伟，手机13912345678，身份证110101199003074514';
  it('mask / tag / pseudonym', () => {
    expect(redactText(t, { mode: 'mask' }).text).toBe('联系人：张*，手机139****5678，身份证110***********4514');
    expect(redactText(t, { mode: 'tag' }).text).toBe('联系人：[姓名]，手机[手机号码]，身份证[身份证号]');
    const p = redactText(t, { mode: 'pseudonym', key }).text;
    expect(p).toContain(pseudonymToken('mobile', '139 1234 5678', key));
    expect(pseudonymToken('mobile', '13912345678', key)).toMatch(/^PSN_手机号码_[0-9a-f]{8}$/);
    expect(pseudonymToken('mobile', '13912345678', Buffer.alloc(32, 8))).not.toBe(pseudonymToken('mobile', '13912345678', key));
    expect(() => redactText(t, { mode: 'pseudonym' })).toThrow(DetectInputError);
  });
  it('CSV, JSON, XLSX, DOCX copies', async () => {
    const csv = await redactBuffer('a.csv', Buffer.from('姓名,手机\n张伟,13912345678\n'), { mode: 'tag' });
    expect(csv.data.toString()).toBe('姓名,手机\n[姓名],[手机号码]\n');
    const json = await redactBuffer('a.json', Buffer.from('{"m":13912345678,"s":"手机13912345678"}'), { mode: 'mask' });
    expect(JSON.parse(json.data.toString())).toEqual({ m: '139****5678', s: '手机139****5678' });
    const x = await redactBuffer('t.xlsx', await zipOf(XLSX), { mode: 'tag' });
    const again = await scanBuffer('t.xlsx', x.data);
    expect(again.filter((f) => f.type === 'mobile')).toEqual([]);
    const d = await redactBuffer('t.docx', await zipOf({ 'word/document.xml': '<w:document><w:body><w:p><w:r><w:t>手机139123</w:t></w:r><w:r><w:t>45678好</w:t></w:r></w:p></w:body></w:document>' }), { mode: 'mask' });
    expect(d.findings.length).toBe(1);
    expect((await scanBuffer('t.docx', d.data)).length).toBe(0);
  });
  it('redactFile streams text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'red-'));
    writeFileSync(join(dir, 'in.txt'), t + '\n');
    const res = await redactFile(join(dir, 'in.txt'), join(dir, 'out.txt'), { mode: 'tag' });
    expect(res.findings).toBe(3);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('联系人：[姓名]，手机[手机号码]，身份证[身份证号]\n');
  });
});

describe('table output', () => {
  it('lists findings without raw values', () => {
    const f = scanText('手机13912345678').map((x) => ({ ...x, file: 'a.txt' }));
    const s = formatFindingsTable(f);
    expect(s).toContain('139****5678');
    expect(s).not.toContain('13912345678');
  });
});
