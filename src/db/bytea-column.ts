/**
 * A column of bytea values for a statement that unnests arrays (batch insert or update), sent as one binary
 * parameter plus int[] offsets and lengths. node-pg sends a Buffer[] parameter as a text array of hex literals, which
 * PostgreSQL parses at about 13 µs per 400-byte value on this machine type; cutting the same values out of one binary
 * parameter costs it about 4.5 µs (ADR 0016 addendum).
 *
 *   const b = byteaColumn(values);
 *   sql`insert into t (id, v) select u.id, ${b.cut('u.o', 'u.l')} from unnest(${ids}::text[], ${b.offsets}, ${b.lengths}) as u(id, o, l)`
 */
import { sql, type RawBuilder } from 'kysely';

export interface ByteaColumn {
  /** `int[]` argument of unnest: where each value starts in the parameter (1-based). */
  offsets: RawBuilder<unknown>;
  /** `int[]` argument of unnest: each value's length. */
  lengths: RawBuilder<unknown>;
  /** The value of a row, given the unnest columns that hold its offset and length (e.g. 'u.o', 'u.l'). */
  cut(offset: string, length: string): RawBuilder<Buffer>;
}

export function byteaColumn(values: readonly Buffer[]): ByteaColumn {
  return byteaColumnPacked(Buffer.concat(values as Buffer[]), values.map((v) => v.length));
}

/** The same column from values already laid end to end in one buffer, with each value's length. */
export function byteaColumnPacked(blob: Buffer, lengths: readonly number[]): ByteaColumn {
  const offsets = new Array<number>(lengths.length);
  let at = 1;
  for (let i = 0; i < lengths.length; i++) { offsets[i] = at; at += lengths[i]; }
  if (at - 1 !== blob.length) throw new Error('bytea column: lengths do not add up to the buffer');
  return {
    offsets: sql`${offsets}::int[]`,
    lengths: sql`${[...lengths]}::int[]`,
    cut: (offset, length) => sql<Buffer>`substring(${blob}::bytea from ${sql.ref(offset)} for ${sql.ref(length)})`,
  };
}
