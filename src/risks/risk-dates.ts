/** Calendar days in China Standard Time (UTC+8), as YYYY-MM-DD. */
const CST = 8 * 3_600_000;
const DAY = 86_400_000;

export function chinaDate(at: Date): string { return new Date(at.getTime() + CST).toISOString().slice(0, 10); }
export function addCalendarDaysTo(day: string, n: number): string { return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10); }
