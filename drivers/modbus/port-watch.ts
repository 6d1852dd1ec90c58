/**
 * Watching for a serial device to come back. A pulled USB adapter takes its /dev/ttyUSBn node
 * and its /dev/serial/by-id link with it (udev removes both, and /dev/serial itself when it was
 * the last one), so the path's nearest existing folder is watched and looked at again on every
 * change there: the port reopens when the adapter returns, not when the backoff next allows.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';

export interface PathWatch {
  close(): void;
}

/**
 * Calls `onAppear` once, when `path`, missing now, appears. A path that exists now is not
 * watched: a port that is there but will not open is the reopen backoff's to retry.
 */
export type PathWatcher = (path: string, onAppear: () => void) => PathWatch;

export const fsPathWatcher: PathWatcher = (path, onAppear) => {
  // sim:NAME and other non-paths have nothing to watch
  if (!isAbsolute(path) || existsSync(path)) return { close: () => {} };
  let watcher: FSWatcher | undefined;
  let watching = '';
  let done = false;
  const close = () => {
    done = true;
    watcher?.close();
    watcher = undefined;
  };
  const look = () => {
    if (done) return;
    if (existsSync(path)) {
      close();
      onAppear();
      return;
    }
    let dir = dirname(path);
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    if (dir === watching) return;
    watcher?.close();
    watching = dir;
    try {
      watcher = watch(dir, { persistent: false }, () => look());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
        watching = '';
      });
    } catch {
      // a folder that vanished between the check and the watch: the reopen backoff still runs
      watcher = undefined;
      watching = '';
    }
    // it may have appeared while the watch was being set up
    if (existsSync(path)) look();
  };
  look();
  return { close };
};
