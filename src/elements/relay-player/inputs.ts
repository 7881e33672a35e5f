import type { PropertyValues } from 'lit';
import type { RelayError } from '../../contract/errors.js';
import { normaliseSources, parseSourcesAttribute } from '../../player/protocol.js';
import type { PlayUrl } from '../../contract/types.js';

/** The inputs a `<relay-player>` plays from besides a followed push. */
export interface PlayerInputs extends HTMLElement {
  src: string | null;
  sources: PlayUrl[] | null;
}

/**
 * Reads `src`, `sources` and the raw `sources` attribute (`attr`) after `changed`: the one set last wins (a new
 * `src` replaces earlier `sources`, new `sources` an earlier `src`, as an embed helper expects), and `sources` is
 * parsed and normalised. Returns the error of a malformed list (`null`: the list is fine), or `undefined` when the
 * list was not touched.
 */
export function readInputs(
  el: PlayerInputs,
  changed: PropertyValues,
  attr: string | null,
): RelayError | null | undefined {
  // The field initialiser's undefined → null is not an attribute change: it must not wipe a `sources`
  // property set by a script before the first update.
  const attrChanged =
    changed.has('sourcesAttr') && (changed.get('sourcesAttr') !== undefined || attr !== null);
  const srcSet = changed.has('src') && el.src !== null;
  const sourcesSet = attrChanged || (changed.has('sources') && el.sources !== null);
  if (srcSet && !sourcesSet) el.sources = null;
  else if (sourcesSet && !srcSet) el.src = null;
  if (!attrChanged && !(changed.has('sources') && el.sources !== null)) return undefined;
  try {
    el.sources = attrChanged
      ? attr === null
        ? null
        : parseSourcesAttribute(attr)
      : normaliseSources(el.sources!);
    return null;
  } catch (err) {
    el.sources = null;
    return err as RelayError;
  }
}
