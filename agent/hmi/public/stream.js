// The live feed: an EventSource on /api/events. The browser reconnects by itself after a drop;
// a watchdog also reconnects when nothing (not even the 10 s heartbeat) arrived for 25 s, since
// a pulled cable never raises an error. `onLink(false)` shows the connection-lost banner.

const SILENCE_MS = 25_000;

export function connect({ onSnapshot, onLink }) {
  let source;
  let lastHeard = Date.now();
  let up = null; // unknown until the first snapshot or error

  const setUp = (value) => {
    if (value === up) return;
    up = value;
    onLink(value);
  };

  const open = () => {
    source = new EventSource('/api/events');
    source.addEventListener('snapshot', (e) => {
      lastHeard = Date.now();
      setUp(true);
      onSnapshot(JSON.parse(e.data));
    });
    source.addEventListener('heartbeat', () => {
      lastHeard = Date.now();
    });
    source.addEventListener('error', () => setUp(false));
  };

  open();
  setInterval(() => {
    if (Date.now() - lastHeard < SILENCE_MS) return;
    setUp(false);
    source.close();
    lastHeard = Date.now();
    open();
  }, 5000);
}
