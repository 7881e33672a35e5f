import { ErrorCodes } from '../../contract/errors.js';
import type { RelayPlayerErrorDetail } from '../../contract/events.js';

/**
 * What a play request achieved under the browser's autoplay policy: `played` as set (with or without sound),
 * `muted` (sound was refused, so the session muted the media and it plays), `blocked` (nothing plays: a press is
 * needed).
 */
export type AutoplayOutcome = 'played' | 'muted' | 'blocked';

/**
 * Plays `media`; when the browser refuses sound (NotAllowedError), mutes it and tries once more. Resolves `null`
 * when the answer no longer matters (`stale()`: the session moved on) or the request was cut short for another reason
 * (an engine that loads the element again asks for play once more itself).
 */
export async function playWithPolicy(
  media: HTMLMediaElement,
  stale: () => boolean,
): Promise<AutoplayOutcome | null> {
  try {
    await media.play();
    return 'played';
  } catch (err) {
    if (stale() || (err as DOMException).name !== 'NotAllowedError') return null;
  }
  if (!media.muted) {
    media.muted = true;
    try {
      await media.play();
      return stale() ? null : 'muted';
    } catch (again) {
      // AbortError: the engine loaded the element again meanwhile, and asks for play once more (`onReload`)
      if (stale() || (again as DOMException).name === 'AbortError') return null;
    }
  }
  return 'blocked';
}

/** The non-fatal error that says a press is needed. */
export function autoplayBlocked(url: string | null, module: string): RelayPlayerErrorDetail {
  return {
    module,
    code: ErrorCodes.AUTOPLAY_BLOCKED,
    message: 'The browser blocked autoplay; press play to start.',
    url,
    fatal: false,
  };
}
