/**
 * Maintenance windows: a cron expression (when a window opens), a time zone and a duration. A node starts
 * only while one is open. Cron arithmetic (time zones, DST) is cron-parser's, not hand-written.
 */
import { CronExpressionParser } from 'cron-parser';
import { InvalidPolicyError } from './errors.ts';

/** One recurring maintenance window. */
export interface MaintenanceWindow {
  /** Five-field cron expression of the window's opening times, e.g. `0 2 * * 6` (Saturdays 02:00). */
  cron: string;
  /** IANA time zone the cron is read in, e.g. `Europe/Berlin`. Default UTC. */
  timeZone?: string;
  /** How long the window stays open, in minutes. */
  durationMinutes: number;
}

/** True for an IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function parse(window: MaintenanceWindow, at: Date, where: string) {
  if (!(window.durationMinutes > 0)) {
    throw new InvalidPolicyError(`${where}.durationMinutes: must be a positive number of minutes`);
  }
  // Checked first: cron-parser reports an unknown zone as an invalid cron expression.
  if (window.timeZone !== undefined && !isTimeZone(window.timeZone)) {
    throw new InvalidPolicyError(
      `${where}.timeZone: "${window.timeZone}" is not a known IANA time zone (e.g. "Europe/Berlin", "UTC")`,
    );
  }
  try {
    return CronExpressionParser.parse(window.cron, { currentDate: at, tz: window.timeZone ?? 'UTC' });
  } catch (error) {
    throw new InvalidPolicyError(
      `${where}.cron: "${window.cron}" (${window.timeZone ?? 'UTC'}) is not a valid cron expression: ${(error as Error).message}`,
    );
  }
}

/**
 * Checks windows without evaluating them at a time; throws on the first bad one.
 * @throws InvalidPolicyError naming the window and field.
 */
export function validateWindows(windows: MaintenanceWindow[], where = 'windows'): void {
  windows.forEach((w, i) => {
    parse(w, new Date(0), `${where}[${i}]`);
  });
}

/** True when no windows are configured or one of them is open at `now`. */
export function isWindowOpen(windows: MaintenanceWindow[] | undefined, now: Date): boolean {
  if (!windows || windows.length === 0) return true;
  // A window that opened exactly now counts: prev() is strictly before currentDate, so look from now + 1 ms.
  const probe = new Date(now.getTime() + 1);
  return windows.some((w, i) => {
    const opened = parse(w, probe, `windows[${i}]`).prev().toDate();
    return now.getTime() < opened.getTime() + w.durationMinutes * 60_000;
  });
}

/** When the next window opens after `now` (null when none are configured). */
export function nextWindowOpening(windows: MaintenanceWindow[] | undefined, now: Date): Date | null {
  if (!windows || windows.length === 0) return null;
  let earliest: Date | null = null;
  windows.forEach((w, i) => {
    const next = parse(w, now, `windows[${i}]`).next().toDate();
    if (!earliest || next < earliest) earliest = next;
  });
  return earliest;
}
