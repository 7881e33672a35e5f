import { en, type Messages } from './en.js';
import { zhCN } from './zh-CN.js';

export type { Messages };
/** A language tag the elements have labels for: `en`, `zh-CN`, or one added with {@link addTranslation}. */
export type Lang = string;

/** Every label optional, at any depth: what {@link addTranslation} accepts (missing ones stay English). */
export type PartialMessages = { [K in keyof Messages]?: DeepPartial<Messages[K]> };
type DeepPartial<T> = T extends string ? string : { [K in keyof T]?: DeepPartial<T[K]> };

/** One element's labels (a section of {@link Messages}): the built-in tables' section, read as a plain property so
 * that a script with one element carries that element's labels only (bundlers drop the other sections). */
export interface Labels<S extends keyof Messages> {
  section: S;
  en: Messages[S];
  zhCN: Messages[S];
}
export const playerLabels: Labels<'player'> = { section: 'player', en: en.player, zhCN: zhCN.player };
export const pushLabels: Labels<'push'> = { section: 'push', en: en.push, zhCN: zhCN.push };
export const recordingLabels: Labels<'recordings'> = {
  section: 'recordings',
  en: en.recordings,
  zhCN: zhCN.recordings,
};

/** The languages with labels: `en` and `zh-CN` built in, plus {@link addTranslation}'s (its table, merged lazily). */
const tables = new Map<string, PartialMessages | null>([
  ['en', null],
  ['zh-CN', null],
]);
/** Merged sections of added languages, by `lang` + section; emptied by {@link addTranslation}. */
const merged = new Map<string, unknown>();

function merge<T>(base: T, over: unknown): T {
  if (typeof base === 'string') return (typeof over === 'string' ? over : base) as T;
  const out = { ...base } as Record<string, unknown>;
  const o = (over ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(out)) out[k] = merge(out[k], o[k]);
  return out as T;
}

/**
 * Adds (or replaces) the labels for language `lang` (a BCP 47 tag such as `ja` or `fr-CA`), used by every element
 * whose `lang` (own, an ancestor's or the document's) matches it, exactly or by primary subtag (`ja-JP` → `ja`).
 * Missing labels fall back to English. Elements already on the page pick it up on their next render.
 */
export function addTranslation(lang: string, table: PartialMessages): void {
  tables.set(lang, table);
  merged.clear();
}

/**
 * The language for an element: its own or nearest ancestor's `lang` attribute (crossing shadow roots), else the
 * document's, else the browser's. Any `zh*` tag maps to Simplified Chinese; tags without labels to English.
 */
export function resolveLang(el: Element): Lang {
  // duck-typed, not `instanceof Element`: it also runs where there is no DOM (Lit SSR's shim)
  let node: Node | null = el;
  while (node) {
    const e = node as Partial<Element>;
    if (e.hasAttribute?.('lang')) return normaliseLang(e.getAttribute!('lang'));
    node = node.parentNode ?? (node as Partial<ShadowRoot>).host ?? null;
  }
  return normaliseLang(typeof navigator !== 'undefined' ? navigator.language : 'en');
}

export function normaliseLang(tag: string | null | undefined): Lang {
  const t = (tag ?? '').trim().toLowerCase();
  if (!t) return 'en';
  const primary = t.split('-')[0];
  let byPrimary: string | undefined;
  for (const lang of tables.keys()) {
    const l = lang.toLowerCase();
    if (l === t) return lang;
    if (l === primary) byPrimary ??= lang;
  }
  if (byPrimary) return byPrimary;
  return primary === 'zh' ? 'zh-CN' : 'en';
}

/** One element's labels in `lang` (a tag from {@link normaliseLang}); English for languages without labels. */
export function labelsFor<S extends keyof Messages>(labels: Labels<S>, lang: Lang): Messages[S] {
  const added = tables.get(lang);
  if (!added) return lang === 'zh-CN' ? labels.zhCN : labels.en;
  const key = `${lang}\n${labels.section}`;
  let m = merged.get(key) as Messages[S] | undefined;
  if (!m) merged.set(key, (m = merge(labels.en, added[labels.section])));
  return m;
}

/** Every element's labels in `lang` (carries all sections: elements use {@link labelsFor} with their own). */
export function messagesFor(lang: Lang): Messages {
  return {
    player: labelsFor(playerLabels, lang),
    push: labelsFor(pushLabels, lang),
    recordings: labelsFor(recordingLabels, lang),
  };
}

/** Replaces `{name}` placeholders in a message. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
