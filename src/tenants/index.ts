export { createTenantService, type TenantService } from './tenant-service.js';
// issue 11: deregistration, destruction certificates, installation signing keys, the handler's archive
export { createDeregistrationService, type DeregistrationService, type RequestDeregistrationInput, type NoticeInput, type ExecuteInput, type ArchiveSpec, type ShredCheck } from './deregistration-service.js';
export { createInstallationKeys, type InstallationKeys } from './installation-keys.js';
export { verifyCertificate, certificateSummary, signCertificate, canonicalJson, keyFingerprint, CERTIFICATE_FORMAT, type SignedCertificate, type CertificateCheck } from './certificate.js';
export { readArchive, ArchiveError } from './archive-file.js';
export { DESTRUCTION_METHOD } from './deregistration-rules.js';
