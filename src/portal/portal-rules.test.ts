import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { challengeState, codeMatches, codeMessage, hashCode, maskRecipient, MAX_ATTEMPTS, newCode, rateLimit } from './portal-rules.js';

describe('portal rules', () => {
  it('draws 6-digit codes and keeps leading zeros', () => {
    const codes = Array.from({ length: 2000 }, newCode);
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(1900);
  });

  it('matches a code only under its own salt', () => {
    const salt = randomBytes(16);
    const h = hashCode(salt, '012345');
    expect(codeMatches(salt, h, '012345')).toBe(true);
    expect(codeMatches(salt, h, '012346')).toBe(false);
    expect(codeMatches(randomBytes(16), h, '012345')).toBe(false);
    expect(h.toString('hex')).not.toContain('012345');
  });

  it('a challenge is used, locked after the last attempt, or expired', () => {
    const now = new Date('2026-01-05T10:00:00Z');
    const later = new Date(now.getTime() + 60_000);
    expect(challengeState({ used_at: null, expires_at: later, attempts: 0 }, now)).toBe('open');
    expect(challengeState({ used_at: null, expires_at: later, attempts: MAX_ATTEMPTS - 1 }, now)).toBe('open');
    expect(challengeState({ used_at: null, expires_at: later, attempts: MAX_ATTEMPTS }, now)).toBe('locked');
    expect(challengeState({ used_at: null, expires_at: now, attempts: 0 }, now)).toBe('expired');
    expect(challengeState({ used_at: now, expires_at: later, attempts: 0 }, now)).toBe('used');
  });

  it('limits codes per window and says when the next one may be asked', () => {
    const now = new Date('2026-01-05T10:15:00Z');
    const at = (min: number) => new Date(now.getTime() - min * 60_000);
    expect(rateLimit([at(1), at(2), at(3), at(4)], 5, 15, now)).toEqual({ allowed: true });
    expect(rateLimit([at(1), at(2), at(3), at(4), at(16)], 5, 15, now)).toEqual({ allowed: true });
    expect(rateLimit([at(1), at(2), at(3), at(4), at(10)], 5, 15, now)).toEqual({ allowed: false, retryAfterSeconds: 300 });
  });

  it('writes the code into the message in Chinese and English, and masks recipients', () => {
    const m = codeMessage('123456', '示例公司');
    expect(m.body.split('\n')[0]).toContain('123456');
    expect(m.body.split('\n')[1]).toContain('123456');
    expect(m.body).toMatch(/验证码/);
    expect(maskRecipient('13800138000')).toBe('138****8000');
    expect(maskRecipient('zhang@example.com')).toBe('z***@example.com');
  });
});
