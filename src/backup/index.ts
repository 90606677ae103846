export { createBackupService, type BackupService, type BackupDeps } from './backup-service.js';
export { BackupError } from './backup-format.js';
export { createBackupSchedule, listScheduledBackups, nextWeeklyRun, scheduledBackupName } from './backup-schedule.js';
