// A React app using the widgets three ways: the generated wrappers, the side-effect-free classes, and the tags
// in JSX (typed by `relay-widgets/jsx`). Type-checked and bundled by CI against the packed tarball.
import { createRoot } from 'react-dom/client';
import { useState } from 'react';
import { RelayPlayer, LivePushControls, RecordingList } from 'relay-widgets/react';
import { ErrorCodes, addTranslation, type RelayPlayerErrorDetail } from 'relay-widgets';
import type {} from 'relay-widgets/jsx';

addTranslation('ja', { player: { play: '再生' } });

function App() {
  const [error, setError] = useState<RelayPlayerErrorDetail | null>(null);
  return (
    <main>
      <RelayPlayer
        src="https://example.com/live/demo.flv"
        latency="low"
        muted
        onRelayPlayerError={(e) => setError(e.detail)}
        onRelayPlayerState={(e) => console.log(e.detail.state)}
      />
      <LivePushControls provider="local" streamId="demo" onLivePushStarted={(e) => console.log(e.detail.urls)} />
      <RecordingList endpoint="/api/recordings" onRecordingSelect={(e) => console.log(e.detail.recording.url)} />
      <relay-player src="https://example.com/live/demo.m3u8" muted autoplay></relay-player>
      {error?.code === ErrorCodes.ENGINE_LOAD_FAILED ? <p>{error.message}</p> : null}
    </main>
  );
}

// @ts-expect-error: latency is 'low' | 'normal'-like, not a number (the wrappers keep the element's types)
export const wrong = <RelayPlayer latency={3} />;

createRoot(document.getElementById('root')!).render(<App />);
