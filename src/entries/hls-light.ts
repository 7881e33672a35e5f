export { default } from 'hls.js/dist/hls.light.mjs';
