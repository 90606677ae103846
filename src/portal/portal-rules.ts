/** Pure rules of the customer portal: sign-in codes, their life, rate-limit windows, the message text. */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_TTL_MINUTES = 5;
export const MAX_ATTEMPTS = 5;
export const CHANNEL_KIND = { sms: 'mobile', email: 'email' } as const;
export type PortalChannel = keyof typeof CHANNEL_KIND;

/** A 6-digit code, uniformly drawn (leading zeros kept). */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** The stored form of a code: HMAC-SHA256 under the challenge's own random salt. */
export function hashCode(salt: Buffer, code: string): Buffer {
  return createHmac('sha256', salt).update(code, 'utf8').digest();
}

export function codeMatches(salt: Buffer, stored: Buffer, code: string): boolean {
  const h = hashCode(salt, code);
  return h.length === stored.length && timingSafeEqual(h, stored);
}

export type ChallengeState = 'open' | 'used' | 'expired' | 'locked';
export function challengeState(c: { used_at: Date | null; expires_at: Date; attempts: number }, now: Date): ChallengeState {
  if (c.used_at) return 'used';
  if (c.attempts >= MAX_ATTEMPTS) return 'locked';
  if (new Date(c.expires_at).getTime() <= now.getTime()) return 'expired';
  return 'open';
}

/**
 * Whether another code may be sent, given the creation times of the codes already sent in the window;
 * when not, the seconds until the oldest of them leaves the window.
 */
export function rateLimit(sentAt: Date[], max: number, windowMinutes: number, now: Date): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  const start = now.getTime() - windowMinutes * 60_000;
  const inWindow = sentAt.map((d) => new Date(d).getTime()).filter((t) => t > start).sort((a, b) => a - b);
  if (inWindow.length < max) return { allowed: true };
  const oldest = inWindow[inWindow.length - max];
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMinutes * 60_000 - now.getTime()) / 1000)) };
}

/** The message that carries the code: zh-CN first, English alongside. */
export function codeMessage(code: string, tenantName: string): { subject: string; body: string } {
  return {
    subject: `${tenantName} 个人信息服务验证码 / Verification code`,
    body: `【${tenantName}】您的验证码是 ${code}，${CODE_TTL_MINUTES} 分钟内有效。请勿告诉他人；如非本人操作，请忽略。\n`
      + `Your ${tenantName} verification code is ${code}. It expires in ${CODE_TTL_MINUTES} minutes. Do not share it; if you did not ask for it, ignore this message.`,
  };
}

/** A recipient shown to staff: 138****8000, z***@example.com. */
export function maskRecipient(to: string): string {
  if (to.includes('@')) { const at = to.indexOf('@'); return `${to.slice(0, 1)}***${to.slice(at)}`; }
  return to.length > 7 ? `${to.slice(0, 3)}${'*'.repeat(to.length - 7)}${to.slice(-4)}` : '****';
}
