import { describe, expect, it } from 'vitest';
import { cnIdProblem, isValidUscc, luhnValid, maskValue, normaliseValue } from './pi-types.js';

describe('normaliseValue', () => {
  it('gives one canonical form for the ways people write a Chinese mobile number', () => {
    for (const v of ['13800138000', '+86 138-0013-8000', '0086 13800138000', '１３８００１３８０００', '(+86)138 0013 8000']) {
      expect(normaliseValue('mobile', v)).toEqual({ ok: true, value: '13800138000' });
    }
  });
  it('refuses numbers that are not mobiles', () => {
    for (const v of ['12800138000', '1380013800', 'abc', '']) expect(normaliseValue('mobile', v).ok).toBe(false);
  });
  it('keeps foreign mobiles in E.164', () => {
    expect(normaliseValue('mobile', '+44 7911 123456')).toEqual({ ok: true, value: '+447911123456' });
  });
  it('checks the GB 11643 check digit, region and birth date of an ID number', () => {
    expect(normaliseValue('cn_id', '11010519491231002x')).toEqual({ ok: true, value: '11010519491231002X' });
    expect(cnIdProblem('110105194912310021')).toBe('check_digit');
    expect(cnIdProblem('990105194912310021')).toBe('region');
    expect(cnIdProblem('110105194902300021')).toBe('birth_date');
  });
  it('validates USCC check characters and Luhn', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(luhnValid('6222021234567890128')).toBe(true);
    expect(normaliseValue('bank_card', '6222 0212 3456 7890 127').ok).toBe(false);
  });
  it('lower-cases emails and normalises dates', () => {
    expect(normaliseValue('email', 'ZSF@Example.CN')).toEqual({ ok: true, value: 'zsf@example.cn' });
    expect(normaliseValue('birth_date', '1990年1月2日')).toEqual({ ok: true, value: '1990-01-02' });
    expect(normaliseValue('birth_date', '1990-02-30').ok).toBe(false);
  });
});

describe('maskValue', () => {
  it('masks per type the way Chinese customer-service screens show them', () => {
    expect(maskValue('mobile', '13800138000')).toBe('138****8000');
    expect(maskValue('cn_id', '11010519491231002X')).toBe('110***********002X');
    expect(maskValue('person_name', '张三丰')).toBe('张**');
    expect(maskValue('person_name', '张三')).toBe('张*');
    expect(maskValue('bank_card', '6222021234567890128')).toBe('***************0128');
    expect(maskValue('address', '上海市浦东新区世纪大道100号')).toBe('上海市浦东新区****');
    expect(maskValue('email', 'zsf@example.cn')).toBe('z***@example.cn');
  });
});
