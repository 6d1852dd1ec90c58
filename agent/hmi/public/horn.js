// The page's alarm horn. A new unacknowledged alarm of any priority beeps once; while a high or
// critical alarm stays unacknowledged the horn repeats every REPEAT_MS until it is acknowledged
// (on any page) or silenced here. Silencing belongs to this page alone: it stops the sound until
// the next new alarm, acknowledges nothing and leaves the plant's beacon as it is.
// Browsers play sound only after a touch: until then a bar says the horn is off and how to turn
// it on (or that this browser cannot sound at all).
import { audioState, beep, onAudioChange, unlockAudio, startAudio } from './beep.js';
import { t } from './i18n.js';

export const REPEAT_MS = 5000;
const LOUD = new Set(['high', 'critical']);

export function createHorn({ bar, silenceButton }) {
  let heard = new Set(); // id@t of the unacknowledged alarms seen in the last snapshot
  let loud = false; // an unacknowledged high or critical alarm is present
  let silenced = false;
  let first = true;
  let repeat = null;

  function refresh() {
    const state = audioState();
    bar.hidden = state === 'on';
    bar.dataset.state = state;
    bar.querySelector('[data-text]').textContent = t(state === 'unavailable' ? 'soundUnavailable' : 'soundOff');
    bar.disabled = state === 'unavailable';
    const sounding = loud && !silenced;
    silenceButton.hidden = !sounding;
    if (sounding && state === 'on') repeat ??= setInterval(beep, REPEAT_MS);
    else if (repeat) {
      clearInterval(repeat);
      repeat = null;
    }
  }

  startAudio();
  onAudioChange(refresh);
  bar.addEventListener('click', () => {
    unlockAudio();
    if (loud && !silenced) beep();
  });
  silenceButton.addEventListener('click', () => {
    silenced = true;
    refresh();
  });

  return {
    /** Take a new snapshot: beep for alarms that newly became unacknowledged (not for those there on load). */
    update(snapshot) {
      const now = new Set();
      let fresh = false;
      loud = false;
      for (const a of snapshot.alarms) {
        if (a.state !== 'unack') continue;
        if (LOUD.has(a.priority)) loud = true;
        const key = `${a.id}@${a.t}`;
        now.add(key);
        if (!heard.has(key)) fresh = true;
      }
      heard = now;
      if (fresh && !first) {
        silenced = false; // a new alarm ends a silence
        beep();
      }
      first = false;
      refresh();
    },
    relabel: refresh,
  };
}
