/** Time source, injectable so deadlines and expiries are testable without sleeping. */
export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() };
