/**
 * Destruction certificates (销毁证明): a JSON document signed by the installation's signing key, not by
 * the tenant's keys (those are destroyed by the act the certificate attests). The signer's public key
 * and its fingerprint travel inside the certificate so that it verifies offline; a verifier who wants
 * more than self-consistency compares the fingerprint with the installation's published one
 * (`GET /certificates/keys`, `custodian doctor`). Signed bytes: a fixed prefix and the canonical JSON
 * (keys sorted, no spaces) of everything but `signature`.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { signData, verifyData } from '../crypto/signing.js';

export const CERTIFICATE_FORMAT = 'custodian-destruction-certificate';
const PREFIX = 'custodian-destruction-certificate/v1\n';

export interface CertificateSigner { key_id: string; algorithm: string; public_key: string; fingerprint: string }
export interface SignedCertificate { format: typeof CERTIFICATE_FORMAT; version: 1; certificate_id: string; signer: CertificateSigner; signature: string; [k: string]: unknown }

/** JSON with object keys sorted at every level and no insignificant whitespace. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError('non-finite number in a certificate');
    return JSON.stringify(v) ?? 'null';
  }
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** SHA-256 of the key's SubjectPublicKeyInfo (DER), as hex pairs joined by ':'. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').match(/../g)!.join(':');
}

function signedBytes(doc: Record<string, unknown>): Buffer {
  const { signature: _s, ...rest } = doc;
  return Buffer.from(PREFIX + canonicalJson(rest), 'utf8');
}

export function signCertificate(body: Record<string, unknown> & { certificate_id: string }, key: { id: string; algorithm: string; privateKeyPem: string; publicKeyPem: string }): SignedCertificate {
  const signer: CertificateSigner = { key_id: key.id, algorithm: key.algorithm, public_key: key.publicKeyPem, fingerprint: keyFingerprint(key.publicKeyPem) };
  const doc = { ...body, format: CERTIFICATE_FORMAT, version: 1 as const, signer };
  const signature = signData(key.algorithm, key.privateKeyPem, signedBytes(doc)).toString('base64');
  return { ...doc, signature } as SignedCertificate;
}

export interface CertificateCheck {
  ok: boolean;
  certificate_id: string | null;
  fingerprint: string | null;
  /** true/false when trusted fingerprints were given; null when only self-consistency was checked. */
  trusted: boolean | null;
  problems: string[];
}

/** Check a certificate offline: format, signer fingerprint, signature; optionally that the signer is trusted. */
export function verifyCertificate(doc: unknown, opts: { trustedFingerprints?: string[] } = {}): CertificateCheck {
  const problems: string[] = [];
  const d = (doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  const signer = d.signer as CertificateSigner | undefined;
  const out: CertificateCheck = { ok: false, certificate_id: typeof d.certificate_id === 'string' ? d.certificate_id : null, fingerprint: null, trusted: null, problems };
  if (d.format !== CERTIFICATE_FORMAT || d.version !== 1) problems.push('not a Custodian destruction certificate (format/version)');
  if (!signer || typeof signer.public_key !== 'string' || typeof signer.algorithm !== 'string') problems.push('the certificate names no signer key');
  if (typeof d.signature !== 'string' || !d.signature) problems.push('the certificate has no signature');
  if (problems.length) return out;
  let fp: string;
  try { fp = keyFingerprint(signer!.public_key); } catch { problems.push('the signer public key cannot be read'); return out; }
  out.fingerprint = fp;
  if (fp !== signer!.fingerprint) problems.push('the signer fingerprint does not match its public key');
  let bytes: Buffer;
  try { bytes = signedBytes(d); } catch { problems.push('the certificate holds values that cannot be signed'); return out; }
  if (!verifyData(signer!.algorithm, signer!.public_key, bytes, Buffer.from(d.signature as string, 'base64'))) problems.push('the signature does not match the content: the certificate was altered or forged');
  if (opts.trustedFingerprints?.length) {
    const norm = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '');
    out.trusted = opts.trustedFingerprints.some((t) => norm(t) === norm(fp));
    if (!out.trusted) problems.push('the signer is not the expected installation key (fingerprint differs)');
  }
  out.ok = problems.length === 0;
  return out;
}

/**
 * What a certificate says was destroyed and checked, for people reading `custodian certificate verify`: counts of
 * keys, and per checked backup whether its copy of the tenant's keys was sealed under the (destroyed) tenant backup
 * key or opened with the root key alone (backups made before ADR 0013). Read from the signed content only.
 */
export function certificateSummary(doc: unknown) {
  const d = (doc ?? {}) as { counts?: Record<string, number>; verification?: { backups?: Array<{ file?: string; ok?: boolean; root_key_alone?: { format_version?: number; sealed_under_backup_key?: boolean; opened_with_root_key?: number } }> } };
  const backups = (d.verification?.backups ?? []).map((b) => ({
    file: b.file ?? null, restore_check_ok: b.ok === true,
    sealed_under_backup_key: b.root_key_alone?.sealed_under_backup_key ?? null,
    opened_with_root_key: b.root_key_alone?.opened_with_root_key ?? null,
  }));
  return {
    subjects: d.counts?.subjects ?? null, records: d.counts?.records ?? null, kek_versions: d.counts?.kek_versions ?? null,
    backup_key_versions: d.counts?.backup_key_versions ?? null, backups_checked: backups.length,
    backups_sealed: backups.filter((b) => b.sealed_under_backup_key === true).length,
    backups_opened_with_root_key: backups.filter((b) => (b.opened_with_root_key ?? 0) > 0).length,
    backups,
  };
}
