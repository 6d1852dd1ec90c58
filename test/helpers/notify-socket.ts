/**
 * A fake NOTIFY_SOCKET: an AF_UNIX datagram socket (which Node cannot open) held by a small
 * python3 listener that prints every datagram as one JSON line with its arrival time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Notification {
  /** ms since the epoch when the listener received it */
  at: number;
  /** VAR=VALUE lines of the datagram */
  lines: string[];
}

export interface NotifyListener {
  path: string;
  received: Notification[];
  /** resolves with the first notification carrying `line` (e.g. READY=1) */
  waitFor(line: string, timeoutMs: number): Promise<Notification>;
  close(): void;
}

const LISTENER = `
import json, os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"listening": True}), flush=True)
while True:
    # recv without ancillary data: the fd that systemd-notify's BARRIER=1 carries is closed by
    # the kernel, which is what releases the barrier, as systemd itself does
    data = s.recv(65536)
    print(json.dumps({"at": time.time() * 1000, "lines": data.decode().split("\\n")}), flush=True)
`;

export async function listenNotify(): Promise<NotifyListener> {
  const path = join(mkdtempSync(join(tmpdir(), 'fb-notify-')), 'notify.sock');
  const child: ChildProcess = spawn('python3', ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received: Notification[] = [];
  const waiters: (() => void)[] = [];
  let ready!: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { listening?: boolean } & Notification;
    if (m.listening) return ready();
    received.push({ at: m.at, lines: m.lines.filter((l) => l !== '') });
    for (const w of waiters.splice(0)) w();
  });
  await listening;
  return {
    path,
    received,
    waitFor(line, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${line} within ${timeoutMs} ms; got ${JSON.stringify(received.map((n) => n.lines))}`)), timeoutMs);
        const look = () => {
          const n = received.find((x) => x.lines.includes(line));
          if (n) {
            clearTimeout(timer);
            resolve(n);
          } else waiters.push(look);
        };
        look();
      });
    },
    close: () => child.kill('SIGKILL'),
  };
}
