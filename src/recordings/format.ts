import { classifyUrl } from '../player/protocol.js';
import type { PlayEncode } from '../contract/types.js';
import { plausibleTime } from './recording.js';

/** The encode a player needs for a recording, from its `fileFormat` (else its URL); `null` when unknown. */
export function encodeForRecording(fileFormat: string, url: string): PlayEncode | null {
  const f = fileFormat.toLowerCase();
  if (f === 'hls' || f === 'm3u8') return 'hls';
  if (f === 'flv' || f === 'mp4' || f === 'mp3') return f;
  const guessed = classifyUrl(url);
  return guessed === 'rtmp' ? null : guessed;
}

/** `1:02:03` or `2:03`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** A file size in the reader's language, decimal units (`1.3 MB`, `1.3 MB` in zh-CN too). */
export function formatSize(bytes: number, lang: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: SIZE_UNITS[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

/**
 * A unix time (seconds) as a local date and time in the reader's language; `null` when it is not a time that
 * can be shown (see `plausibleTime`).
 */
export function formatStartTime(unixSeconds: number, lang: string): string | null {
  const t = plausibleTime(unixSeconds);
  if (t === null) return null;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(t * 1000),
  );
}

/** The same time as an ISO string for `<time datetime>`, or `null`. */
export function isoTime(unixSeconds: number): string | null {
  const t = plausibleTime(unixSeconds);
  return t === null ? null : new Date(t * 1000).toISOString();
}

/** A length in words in the reader's language: `12 sec`, `1 min 3 sec`, `1 hr 2 min` (`1小时 2分钟`). */
export function formatDurationWords(seconds: number, lang: string): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const unit = (value: number, name: 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(lang, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  if (h > 0) return m > 0 ? `${unit(h, 'hour')} ${unit(m, 'minute')}` : unit(h, 'hour');
  if (m > 0) return s > 0 ? `${unit(m, 'minute')} ${unit(s, 'second')}` : unit(m, 'minute');
  return unit(s, 'second');
}

/** `hls` → `HLS`, for display (`null` when the backend gave none). */
export function formatLabel(fileFormat: string): string | null {
  const f = fileFormat.trim();
  return f === '' || f.toLowerCase() === 'unknown' ? null : f.toUpperCase();
}
