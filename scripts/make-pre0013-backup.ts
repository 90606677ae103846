/**
 * Made the fixture test/fixtures/pre-0013-backup/ ONCE, at commit 7708b54 (before ADR 0013): a backup in the
 * format without per-tenant backup keys, of a PGlite store with two tenants, with its keyfile. Kept for
 * provenance; run with the code of that commit it writes the same kind of files again (ids and keys differ).
 *   node --import tsx scripts/make-pre0013-backup.ts test/fixtures/pre-0013-backup
 */
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/core/config.js';
import { createKeyfile, localRootKeyProvider, openKeyfile } from '../src/crypto/keyfile.js';
import { openDb } from '../src/db/connection.js';
import { assemble, keyfilePath } from '../src/app.js';
import { createLogger } from '../src/core/logger.js';
import { buildServer } from '../src/http/server.js';

const out = resolve(process.argv[2] ?? 'test/fixtures/pre-0013-backup');
const PASS = 'fixture-passphrase-0013';
const dataDir = mkdtempSync(join(tmpdir(), 'custodian-fixture-'));
const cfg = loadConfig({ dataDir, env: {}, overrides: { passphrase: PASS, logLevel: 'silent' } });
createKeyfile(keyfilePath(cfg), PASS);
const root = localRootKeyProvider(openKeyfile(keyfilePath(cfg), PASS));
const db = await openDb({ dataDir });
const app = assemble(cfg, db, root, createLogger({ level: 'silent' }));
const server = await buildServer(app, { logger: false });
await server.ready();
const api = async (key: string, method: string, url: string, body?: unknown) => {
  const r = await server.inject({ method: method as 'POST', url, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return r.json();
};
const CUSTOMERS = { name: 'customers', fields: [{ name: 'name', type: 'person_name', category: 'basic' }, { name: 'phone', type: 'mobile', searchable: true }] };
const tenants: Record<string, unknown> = {};
for (const [label, name, suite] of [['keep', '留存企业', 'aes'], ['gone', '注销企业', 'sm']] as const) {
  const t = await app.tenants.createTenant({ name, suite, adminUsername: `${label}.admin` });
  await api(t.api_key, 'POST', '/api/v1/purposes', { name: 'customer_service', title: '客户服务', legal_basis: 'contract' });
  await api(t.api_key, 'POST', '/api/v1/collections', CUSTOMERS);
  const w = await api(t.api_key, 'POST', '/api/v1/collections/customers/records', { records: Array.from({ length: 20 }, (_, i) => ({ fields: { name: `${label}客户${i}`, phone: `1390000${String(1000 + i)}` } })) });
  tenants[label] = { id: t.tenant, name, suite, api_key: t.api_key, record_ids: w.ids };
}
await app.backup.create({ out: join(out, 'backup.bak') });
copyFileSync(keyfilePath(cfg), join(out, 'keyfile.json'));
writeFileSync(join(out, 'fixture.json'), JSON.stringify({ made_at_commit: '7708b54', keyfile_passphrase: PASS, records_per_tenant: 20, tenants }, null, 2) + '\n');
await server.close();
await app.close();
rmSync(dataDir, { recursive: true, force: true });
console.log(`fixture written to ${out}`);
