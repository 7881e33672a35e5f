// hls.js ships its light build (`dist/hls.light.mjs`, also exported as `hls.js/light`) without types for that path:
// it is the same class.
declare module 'hls.js/dist/hls.light.mjs' {
  import Hls from 'hls.js';
  export default Hls;
}
