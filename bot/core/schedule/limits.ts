// Bounds on what a spec may ask for. They keep expansion cheap and catch typos (`for 30d`).

/** Longest window: a week. */
export const MAX_DURATION_MINUTES = 7 * 24 * 60;
/** `every 366 days` / INTERVAL=366 at most. */
export const MAX_INTERVAL = 366;
/** `every 2nd tue +28 days` at most. */
export const MAX_OFFSET_DAYS = 28;
/** COUNT / `<n> times` at most; COUNT forces expansion from `starting`, so it must stay small. */
export const MAX_COUNT = 10_000;
