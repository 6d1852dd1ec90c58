/**
 * Node-RED settings for a Firebreak gateway (systemd/firebreak-node-red.service runs
 * `red.js --settings /opt/firebreak/flows/settings.cjs`).
 *
 * - The editor listens on 127.0.0.1 only: reach it with `ssh -L 1880:127.0.0.1:1880 pi@gateway`.
 * - An admin login is required: the service refuses to start without one.
 * - Flow credentials (webhook tokens) are encrypted with a secret of their own.
 * The login and the secret come from systemd credentials (LoadCredential=, readable by this
 * service only) or, outside systemd, from FIREBREAK_NODE_RED_DIR (default /etc/firebreak/node-red).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function secretFile(name) {
  const dirs = [process.env.CREDENTIALS_DIRECTORY, process.env.FIREBREAK_NODE_RED_DIR || '/etc/firebreak/node-red'].filter(Boolean);
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  throw new Error(`Firebreak Node-RED: no ${name} in ${dirs.join(' or ')}; run scripts/install.sh (it writes them)`);
}

/** { "username": "admin", "password": "<bcrypt hash>" }, written by scripts/install.sh */
const admin = JSON.parse(secretFile('admin-auth.json'));
if (!admin.username || !/^\$2[aby]\$\d\d\$/.test(admin.password || '')) throw new Error('Firebreak Node-RED: admin-auth.json needs username and a bcrypt password hash');

module.exports = {
  uiHost: process.env.FIREBREAK_NODE_RED_HOST || '127.0.0.1',
  uiPort: Number(process.env.FIREBREAK_NODE_RED_PORT || 1880),
  flowFile: 'flows.json',
  flowFilePretty: true,
  credentialSecret: secretFile('credential-secret').trim(),
  adminAuth: {
    type: 'credentials',
    users: [{ username: admin.username, password: admin.password, permissions: '*' }],
  },
  // the Firebreak nodes, from the installed agent
  nodesDir: [path.join(__dirname, 'nodes')],
  externalModules: { palette: { allowInstall: true }, modules: { allowInstall: false } },
  functionExternalModules: false,
  logging: { console: { level: 'info', metrics: false, audit: true } },
  editorTheme: { projects: { enabled: false }, tours: false },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  httpNodeRoot: '/api',
};
