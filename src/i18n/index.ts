import { en, type Messages } from './en.js';
import { zhCN } from './zh-CN.js';

export type { Messages };
export type Lang = 'en' | 'zh-CN';

/**
 * The language for an element: its own or nearest ancestor's `lang` attribute (crossing shadow roots), else the
 * document's, else the browser's. Any `zh*` tag maps to Simplified Chinese; everything else to English.
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
  return tag && /^zh\b/i.test(tag.trim()) ? 'zh-CN' : 'en';
}

export function messagesFor(lang: Lang): Messages {
  return lang === 'zh-CN' ? zhCN : en;
}

/** Replaces `{name}` placeholders in a message. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
