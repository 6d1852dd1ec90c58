// The page's sound: a short two-tone beep. Most browsers allow sound only after the user has
// touched the page once, so the AudioContext is tried at load (a kiosk browser started with
// --autoplay-policy=no-user-gesture-required plays at once) and resumed on the first tap or key.

let ctx = null;
let unavailable = false;
const listeners = new Set();

/** Called whenever the sound becomes playable or stops being playable. */
export function onAudioChange(fn) {
  listeners.add(fn);
}

/** 'on' (a beep will be heard), 'off' (waiting for a touch) or 'unavailable' (no WebAudio here). */
export function audioState() {
  if (unavailable) return 'unavailable';
  return ctx?.state === 'running' ? 'on' : 'off';
}

/** Create or resume the AudioContext; works only inside a user gesture. */
export function unlockAudio() {
  if (unavailable) return;
  try {
    if (!ctx) {
      ctx = new AudioContext();
      ctx.onstatechange = () => listeners.forEach((fn) => fn());
    }
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null;
    unavailable = true; // no WebAudio: the blinking row still shows the alarm
  }
  listeners.forEach((fn) => fn());
}

/** Try the sound at load (a kiosk browser may allow it), and on every tap or key (which resumes it if the browser suspended it). */
export function startAudio() {
  if (typeof AudioContext === 'undefined') unavailable = true;
  else unlockAudio();
  window.addEventListener('pointerdown', unlockAudio, { capture: true });
  window.addEventListener('keydown', unlockAudio, { capture: true });
}

export function beep() {
  if (!ctx || ctx.state !== 'running') return;
  const start = ctx.currentTime;
  for (const [offset, freq] of [[0, 880], [0.2, 660]]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.15, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.16);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.17);
  }
}
