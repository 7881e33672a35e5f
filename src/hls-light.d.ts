// hls.js's package maps `hls.js/light` to its light build but ships no types for that path: it is the same class.
declare module 'hls.js/light' {
  import Hls from 'hls.js';
  export default Hls;
}
