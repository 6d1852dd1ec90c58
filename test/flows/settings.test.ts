/** Node-RED's settings on a gateway: editor on localhost, admin login required, credentials encrypted. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const settingsFile = join(root, 'flows/settings.cjs');

/** Load the settings in a fresh node, as red.js does, with systemd's CREDENTIALS_DIRECTORY. */
function loadSettings(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'fb-nr-cred-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = spawnSync(
    process.execPath,
    ['-e', `const s = require(${JSON.stringify(settingsFile)}); console.log(JSON.stringify({ uiHost: s.uiHost, uiPort: s.uiPort, adminAuth: s.adminAuth, credentialSecret: s.credentialSecret, nodesDir: s.nodesDir }))`],
    { encoding: 'utf8', env: { PATH: process.env.PATH, CREDENTIALS_DIRECTORY: dir, FIREBREAK_NODE_RED_DIR: join(dir, 'none') } },
  );
  return { code: r.status, settings: r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined, stderr: r.stderr };
}

const HASH = '$2b$08$abcdefghijklmnopqrstuu1MIZ9r5DutzGpAjDbC4ASh8p2YmXwm.';

describe('Node-RED settings (flows/settings.cjs)', () => {
  it('binds the editor to localhost, requires the admin login and encrypts credentials', () => {
    const r = loadSettings({ 'admin-auth.json': JSON.stringify({ username: 'admin', password: HASH }), 'credential-secret': 'k3y-from-install\n' });
    expect(r.code).toBe(0);
    expect(r.settings).toMatchObject({
      uiHost: '127.0.0.1',
      adminAuth: { type: 'credentials', users: [{ username: 'admin', password: HASH, permissions: '*' }] },
      credentialSecret: 'k3y-from-install',
      nodesDir: [join(root, 'flows/nodes')],
    });
  });

  it('refuses to start without an admin login', () => {
    const r = loadSettings({ 'credential-secret': 'k' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no admin-auth.json');
  });

  it('refuses a plain-text admin password', () => {
    const r = loadSettings({ 'admin-auth.json': JSON.stringify({ username: 'admin', password: 'firebreak' }), 'credential-secret': 'k' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bcrypt password hash');
  });
});
