import { randomBytes, randomUUID } from 'node:crypto';

/** Opaque, URL-safe ids with a short type prefix so logs and support tickets say what an id is. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

/** A fresh secret token (API key, session, export link): 32 random bytes, base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

const ID_SHAPE = /^[a-z]{2,8}_[A-Za-z0-9]{8,64}$/;
/** True when a string has the shape of an id Custodian issues (guards path parameters). */
export function looksLikeId(s: string): boolean {
  return ID_SHAPE.test(s);
}
