/**
 * fast-check arbitraries for requests to every operation of /openapi.json: mostly shaped by the operation's schema
 * (so requests get past validation into the services), mixed with values just outside it, wrong types, unknown keys,
 * prototype-pollution keys, and SQL / script / path / control-character payloads in every string.
 */
import fc from 'fast-check';
import { CANARIES } from './target.js';

type Schema = Record<string, any>;
export interface Operation { method: string; path: string; params: Array<{ in: string; name: string; required?: boolean; schema: Schema }>; body?: Schema }

export const HOSTILE_STRINGS = [
  "' OR '1'='1", "'; DROP TABLE records; --", '" OR ""="', "1; SELECT pg_sleep(5)--", "' UNION SELECT password_hash FROM staff --", '$1', '\\x00', "E'\\\\x41'",
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{7*7}}', '${7*7}', '%s%s%s%n',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '/dev/zero', 'file:///etc/shadow',
  '\u0000', 'a\u0000b', '\u202e\u0041', '\ud800', '\udfff', '\r\nSet-Cookie: evil=1', '\uFEFF', '𠮷𠮷', '🙂'.repeat(50),
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'NaN', 'Infinity', '-0', '1e400', 'null', 'true', '[]', '{}',
  'A'.repeat(5000), '张'.repeat(2100), ' ', '', ...CANARIES,
];
const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const anyString = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 2, arbitrary: hostileString }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) });
const FIELD_NAMES = ['name', 'phone', 'id_number', 'email', 'address', 'bank_card', 'birth_date', 'nickname'];
const NAMES = ['customers', 'customer_service', 'marketing', 'cs_masked', 'owner', 'privacy-policy', 'ten_years'];

const cache = new Map<Schema, fc.Arbitrary<unknown>>();

/** A value shaped by a JSON schema (as fastify-type-provider-zod writes it), with hostile strings mixed in. */
export function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  const hit = cache.get(schema);
  if (hit) return hit;
  const arb = build(schema, depth);
  const out = schema.nullable ? fc.option(arb, { nil: null, freq: 8 }) : arb;
  cache.set(schema, out);
  return out;
}

function build(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return fc.oneof(...alts.map((x: Schema) => valueFor(x, depth + 1)));
  if (s.allOf) return valueFor(s.allOf[0], depth + 1);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...s.enum) }, { weight: 1, arbitrary: anyString });
  switch (s.type) {
    case 'string': return stringFor(s);
    case 'integer': return fc.oneof({ weight: 8, arbitrary: fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308) });
    case 'number': return fc.oneof({ weight: 8, arbitrary: fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true }) }, { weight: 1, arbitrary: fc.constantFrom(-0, 1e308, -1e308, 5e-324) });
    case 'boolean': return fc.boolean();
    case 'array': return fc.array(valueFor(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object': return objectFor(s, depth);
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(s: Schema): fc.Arbitrary<string> {
  let valid: fc.Arbitrary<string>;
  if (s.format === 'date') valid = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  else if (s.format === 'date-time') valid = fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  else if (s.format === 'email') valid = fc.oneof(fc.emailAddress(), fc.constant('canary.pi@example.org'));
  else if (s.pattern) valid = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...NAMES) }, { weight: 3, arbitrary: safeMatching(s.pattern) });
  else valid = fc.oneof({ weight: 2, arbitrary: fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 50, 50) }) }, { weight: 1, arbitrary: fc.constantFrom(...CANARIES) });
  return fc.oneof({ weight: 7, arbitrary: valid }, { weight: 3, arbitrary: anyString });
}

function safeMatching(pattern: string): fc.Arbitrary<string> {
  try { return fc.stringMatching(new RegExp(pattern)); } catch { return fc.string({ maxLength: 20 }); }
}

function objectFor(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const props: Record<string, Schema> = s.properties ?? {};
  const required = new Set<string>(s.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) model[k] = valueFor(v, depth + 1);
  const known = fc.record(model, { requiredKeys: [...required].filter((k) => k in props) });
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    const extra = fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 12 })), valueFor(s.additionalProperties, depth + 1), { maxKeys: 4 });
    return fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a }));
  }
  return known;
}

/** Off-schema variants of a value: drop a key, add an unknown one, change a type, or swap in arbitrary JSON. */
export function mutated(arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(arb, fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.oneof(fc.string({ maxLength: 12 }), hostileString)).map(([v, n, junk, key]) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return n % 2 ? junk : v;
    const o: Record<string, unknown> = { ...(v as object) };
    const keys = Object.keys(o);
    switch (n % 4) {
      case 0: if (keys.length) delete o[keys[n % keys.length]]; return o;
      case 1: Object.defineProperty(o, key, { value: junk, enumerable: true, configurable: true, writable: true }); return o;
      case 2: if (keys.length) o[keys[n % keys.length]] = junk; return o;
      default: return junk;
    }
  });
}

/** Percent-encode a path segment; a lone surrogate becomes the invalid UTF-8 bytes a hostile client would send. */
function encodePathSegment(v: string): string {
  try { return encodeURIComponent(v); } catch { return v.split('').map((ch) => { try { return encodeURIComponent(ch); } catch { return '%ED%A0%80'; } }).join(''); }
}

export interface Ids { [kind: string]: string[] }

function idFor(path: string, name: string, ids: Ids): fc.Arbitrary<string> {
  const pool = name === 'c' ? ['customers'] : name === 'purpose' ? ['marketing', 'customer_service']
    : path.includes('/records/') ? ids.record : path.startsWith('/api/v1/subjects') ? ids.subject : path.startsWith('/api/v1/requests') ? ids.request
      : path.startsWith('/api/v1/api-keys') ? ids.api_key : path.includes('retention') ? (ids.retention ?? []) : path.includes('legal-holds') ? (ids.hold ?? []) : [];
  const known = pool?.length ? fc.constantFrom(...pool) : fc.constant('rec_00000000000000000000');
  return fc.oneof({ weight: 6, arbitrary: known }, { weight: 2, arbitrary: fc.stringMatching(/^[a-z]{2,8}_[A-Za-z0-9]{8,40}$/) }, { weight: 2, arbitrary: anyString });
}

/** A value once in `oneIn` draws, else null. */
function rarely<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

export type Auth = 'owner' | 'masked' | 'none' | 'garbage' | 'session' | 'session_no_csrf';
export interface Generated { op: Operation; url: string; auth: Auth; body?: unknown; rawBody?: string; contentType?: string }

/** One generated request to one operation. */
export function requestFor(op: Operation, ids: Ids): fc.Arbitrary<Generated> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const path = fc.tuple(...pathParams.map((p) => idFor(op.path, p.name, ids))).map((vals) => {
    let u = op.path;
    pathParams.forEach((p, i) => { u = u.replace(`{${p.name}}`, encodePathSegment(vals[i] as string)); });
    return u;
  });
  const query = fc.tuple(
    fc.tuple(...queryParams.map((p) => fc.option(valueFor(p.schema), { freq: p.required ? 10 : 2 }))),
    rarely(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), hostileString), anyString), 8),
  ).map(([vals, extra]) => {
    const sp = new URLSearchParams();
    queryParams.forEach((p, i) => { const v = vals[i]; if (v !== null && v !== undefined) sp.append(p.name, typeof v === 'string' ? v : JSON.stringify(v)); });
    if (extra) sp.append(extra[0], extra[1]);
    const q = sp.toString();
    return q ? `?${q}` : '';
  });
  const schemaBody = op.body ? valueFor(op.body) : fc.constant(undefined);
  const body = fc.oneof(
    { weight: 6, arbitrary: schemaBody },
    { weight: 3, arbitrary: mutated(schemaBody) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );
  const raw = rarely(fc.oneof(
    fc.constant('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}'),
    fc.constant('{"a":'), fc.constant(''), fc.constant('null'), fc.constant('[]'), fc.constant('"\\ud800"'),
    fc.string({ maxLength: 60 }),
  ), 12);
  const auth = fc.constantFrom<Auth>('owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'masked', 'none', 'garbage', 'session', 'session_no_csrf');
  const contentType = rarely(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x'), 20);
  return fc.record({ path, query, body, raw, auth, contentType }).map(({ path: p, query: q, body: b, raw: r, auth: a, contentType: ct }) => ({
    op, url: p + q, auth: a, body: b, ...(r !== null ? { rawBody: r } : {}), ...(ct !== null ? { contentType: ct } : {}),
  }));
}

/** Operations of an OpenAPI document (only /api routes). */
export function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    if (!path.startsWith('/api/')) continue;
    for (const [m, o] of Object.entries(item)) {
      ops.push({ method: m.toUpperCase(), path, params: o.parameters ?? [], body: o.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}
