import type { Messages } from './en.js';

/** Simplified Chinese labels; same keys as `en.ts`. */
export const zhCN: Messages = {
  player: {
    region: '直播播放器',
  },
  push: {
    region: '直播推流控制',
  },
  recordings: {
    region: '录制文件',
  },
};
