export { createJobsService, nextDailyRun, type JobsService, type JobHandler } from './jobs-service.js';
