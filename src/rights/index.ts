export { createRightsService, presentRequest, type RightsService, type RightsDeps, type RequestView, REQUEST_SORT } from './rights-service.js';
export { addWorkingDays, workingDay, workingDaysBetween, chinaDate, dayString, CALENDAR_COVERAGE, type CalendarBasis } from './working-days.js';
export * from './rights-types.js';
