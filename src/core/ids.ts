import { randomBytes, randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Random bits for ids, drawn from the operating system's CSPRNG 4 KiB at a time (one call per 256 ids, as
 * randomUUID() does), handed out once.
 */
const ID_POOL = Buffer.alloc(4096);
let idPos = ID_POOL.length;
function random16(): Uint8Array {
  if (idPos + 16 > ID_POOL.length) { randomFillSync(ID_POOL); idPos = 0; }
  const r = ID_POOL.subarray(idPos, idPos + 16);
  idPos += 16;
  return r;
}

/**
 * Opaque, URL-safe ids with a short type prefix so logs and support tickets say what an id is. The 32 hex digits
 * are a UUID version 7 (RFC 9562): 48 bits of milliseconds, then 74 random bits. Ids made one after another sort
 * together, so each new row lands at the end of its indexes instead of on a random page (ADR 0016).
 */
export function newId(prefix: string): string {
  return `${prefix}_${Buffer.from(uuidv7({ random: random16() }, new Uint8Array(16)).buffer).toString('hex')}`;
}

/**
 * The same form, as SQL, for rows a statement inserts itself (the audit events of a read or a search): milliseconds
 * since 1970 in 12 hex digits, the version digit 7, then the last 19 hex digits of gen_random_uuid() (its variant and 74
 * random bits).
 */
export function idSql(prefix: string): string {
  if (!/^[a-z]{2,8}$/.test(prefix)) throw new Error(`bad id prefix ${prefix}`);
  return `'${prefix}_' || lpad(to_hex(floor(extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(replace(gen_random_uuid()::text, '-', ''), 14)`;
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
