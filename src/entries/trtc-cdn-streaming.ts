import CDNStreaming from 'trtc-sdk-v5/plugins/cdn-streaming';
export default CDNStreaming;
