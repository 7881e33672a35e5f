import { randomInt } from 'node:crypto';

/**
 * A numeric id as a string of 19 digits, like Tencent's `sequence` (`2210464508206756938`) and VOD `file_id`
 * (`9031868223267109922`): milliseconds since 1970 then 6 random digits, so ids sort by time and survive restarts.
 */
export function numericId(now = Date.now()): string {
  return `${now}${String(randomInt(1_000_000)).padStart(6, '0')}`;
}
