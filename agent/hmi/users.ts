/**
 * The operator accounts of the page, kept in a small JSON file (mode 0600) that
 * `firebreak user add` writes. Passwords are stored as scrypt hashes with a random salt;
 * scrypt runs on libuv's thread pool, so a login never stalls the safety path on the event loop.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type Role = 'operator' | 'supervisor';
export const ROLES: readonly Role[] = ['operator', 'supervisor'];

export interface User {
  name: string;
  role: Role;
}

interface StoredUser extends User {
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
  /** scrypt cost parameters used for this hash, so they can be raised later without breaking old hashes */
  N: number;
  r: number;
  p: number;
  created: string;
}

interface UserFile {
  version: 1;
  users: StoredUser[];
}

// N = 2^15, r = 8 costs about 32 MiB and ~100 ms on a Cortex-A72: slow for guessing, fine for a login.
const COST = { N: 32768, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;
const MAX_MEM = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFC'), salt, keylen, { ...opts, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Letters of any script (Chinese names included), digits, `.`, `_`, `-`. */
const NAME = /^[\p{L}\p{N}._-]{1,32}$/u;
export const MIN_PASSWORD = 8;

async function readUserFile(file: string): Promise<UserFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: [] };
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<UserFile>;
  if (parsed.version !== 1 || !Array.isArray(parsed.users)) throw new Error(`${file}: not a Firebreak user file (version 1)`);
  return { version: 1, users: parsed.users };
}

async function writeUserFile(file: string, data: UserFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Write then rename, so a power cut never leaves a half-written user file.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

export interface AddUserOptions {
  /** replace the password and role of an existing user instead of refusing */
  replace?: boolean;
}

/** Adds (or with `replace`, updates) one user. Throws an Error with a plain message on bad input. */
export async function addUser(file: string, name: string, password: string, role: Role, opts: AddUserOptions = {}): Promise<void> {
  if (!NAME.test(name)) throw new Error(`user name must be 1..32 letters, digits, . _ - (got ${JSON.stringify(name)})`);
  if (!ROLES.includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(role)})`);
  if ([...password].length < MIN_PASSWORD) throw new Error(`password must be at least ${MIN_PASSWORD} characters`);
  const data = await readUserFile(file);
  const existing = data.users.findIndex((u) => u.name === name);
  if (existing >= 0 && !opts.replace) throw new Error(`user ${name} already exists`);
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, COST);
  const user: StoredUser = {
    name,
    role,
    salt: salt.toString('base64'),
    hash: hash.toString('base64'),
    ...COST,
    created: new Date().toISOString(),
  };
  if (existing >= 0) data.users[existing] = user;
  else data.users.push(user);
  await writeUserFile(file, data);
}

export async function removeUser(file: string, name: string): Promise<boolean> {
  const data = await readUserFile(file);
  const before = data.users.length;
  data.users = data.users.filter((u) => u.name !== name);
  if (data.users.length === before) return false;
  await writeUserFile(file, data);
  return true;
}

export async function listUsers(file: string): Promise<User[]> {
  return (await readUserFile(file)).users.map(({ name, role }) => ({ name, role }));
}

/** Checks passwords against the file; the file is read on each login so `firebreak user add` needs no restart. */
export class UserStore {
  // A fixed dummy hash, so an unknown name costs the same scrypt time as a known one.
  private readonly dummySalt = randomBytes(16);

  constructor(readonly file: string) {}

  async verify(name: string, password: string): Promise<User | null> {
    const { users } = await readUserFile(this.file);
    const user = users.find((u) => u.name === name);
    if (!user || !ROLES.includes(user.role)) {
      await scrypt(password, this.dummySalt, KEY_LENGTH, COST);
      return null;
    }
    const expected = Buffer.from(user.hash, 'base64');
    const actual = await scrypt(password, Buffer.from(user.salt, 'base64'), expected.length, { N: user.N, r: user.r, p: user.p });
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? { name: user.name, role: user.role } : null;
  }
}
