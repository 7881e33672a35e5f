import TRTC from 'trtc-js-sdk';
export default TRTC;
