/**
 * Project-owned corrections to the official calendar, for years the `chinese-days` package does not
 * (yet) cover or gets wrong. Enter the State Council's notice (国务院办公厅关于某年部分节假日安排的通知)
 * here as soon as it is published, and list the year in OVERRIDE_YEARS once it is complete: dates of a
 * listed year are then "official"; dates of a year that neither the package nor this table covers are
 * "estimated" from the statutory holidays (see working-days.ts) and recomputed when data arrives.
 *
 * `work: true` = make-up working day (调休上班), `work: false` = day off.
 */
export interface CalendarOverride { work: boolean; name: string }

export const CALENDAR_OVERRIDES: Record<string, CalendarOverride> = {
  // '2027-01-01': { work: false, name: "New Year's Day,元旦" },
};

/** Years whose schedule this table holds completely. */
export const OVERRIDE_YEARS: number[] = [];
