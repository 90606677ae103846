export { createBackupService, type BackupService, type BackupDeps } from './backup-service.js';
export { BackupError } from './backup-format.js';
export { createBackupSchedule, listScheduledBackups, nextWeeklyRun, scheduledBackupName } from './backup-schedule.js';
export { createS3Store, isS3Url, parseS3Url, type S3Store } from './object-store.js';
