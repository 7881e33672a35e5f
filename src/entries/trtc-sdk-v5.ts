import TRTC from 'trtc-sdk-v5';
export default TRTC;
