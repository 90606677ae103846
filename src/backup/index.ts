export { createBackupService, type BackupService, type BackupDeps } from './backup-service.js';
export { BackupError } from './backup-format.js';
