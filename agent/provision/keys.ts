/**
 * The gateway's MQTT client identity: a private key that only the service user can read (0600,
 * owned by it) and a certificate signing request for the platform's CA. The key is made with
 * node:crypto and written with mode 0600 from its first byte; the CSR by the openssl CLI, which
 * Raspberry Pi OS ships, from that key.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, chown, readFile, writeFile } from 'node:fs/promises';

export type Run = (cmd: string, args: string[]) => Promise<string>;

export const run: Run = (cmd, args) =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd}: ${String(stderr).trim() || err.message}`)) : resolve(String(stdout)))),
  );

export interface Owner {
  uid: number;
  gid: number;
}

/** The uid and gid of a user from the passwd file, or undefined when there is no such user. */
export async function lookupUser(name: string, passwd = '/etc/passwd'): Promise<Owner | undefined> {
  let text: string;
  try {
    text = await readFile(passwd, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** Write a secret: mode 0600 at creation, then owned by the service user when we can. */
export async function writeSecret(path: string, content: string, owner: Owner | undefined, force: boolean): Promise<void> {
  await writeFile(path, content, { mode: 0o600, flag: force ? 'w' : 'wx' });
  await chmod(path, 0o600); // an existing file keeps its old mode on 'w'
  if (owner && process.getuid?.() === 0) await chown(path, owner.uid, owner.gid);
}

export type KeyType = 'rsa' | 'ec';

export function newPrivateKeyPem(type: KeyType): string {
  // RSA-2048 is what every district broker accepts; P-256 where the platform asks for ECC
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return pair.privateKey;
}

/** CN = gateway id, O = the enterprise's unified social credit code, as platforms map clients. */
export async function writeCsr(keyFile: string, csrFile: string, subject: { gateway: string; enterprise: string }, exec: Run = run): Promise<void> {
  const subj = `/CN=${escapeRdn(subject.gateway)}/O=${escapeRdn(subject.enterprise)}`;
  await exec('openssl', ['req', '-new', '-key', keyFile, '-out', csrFile, '-subj', subj, '-sha256', '-utf8']);
}

function escapeRdn(v: string): string {
  return v.replace(/[/\\+=,]/g, (c) => `\\${c}`);
}
