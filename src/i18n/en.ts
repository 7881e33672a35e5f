/**
 * English labels. Each element owns one section; add keys to your section only.
 * `zh-CN.ts` must have exactly the same keys (the type below enforces it).
 */
export const en = {
  player: {
    region: 'Live player',
  },
  push: {
    region: 'Live push controls',
  },
  recordings: {
    region: 'Recordings',
  },
};

export type Messages = typeof en;
