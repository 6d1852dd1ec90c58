import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addUser, listUsers, removeUser, UserStore } from '../../agent/hmi/users.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'firebreak-users-'));
  file = join(dir, 'etc', 'users.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('user file', () => {
  it('stores a salted scrypt hash, never the password, in a file only its owner can read', async () => {
    await addUser(file, '王班长', 'correct horse battery', 'supervisor');
    await addUser(file, 'zhang', 'correct horse battery', 'operator');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse');
    const stored = (JSON.parse(text) as { users: { salt: string; hash: string }[] }).users;
    // Same password, different salt, different hash.
    expect(stored[0]?.salt).not.toBe(stored[1]?.salt);
    expect(stored[0]?.hash).not.toBe(stored[1]?.hash);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await listUsers(file)).toEqual([
      { name: '王班长', role: 'supervisor' },
      { name: 'zhang', role: 'operator' },
    ]);
  });

  it('checks passwords: right one gives the user and role, wrong one or unknown name gives null', async () => {
    await addUser(file, 'zhang', 'sander-op-2024', 'operator');
    const users = new UserStore(file);
    expect(await users.verify('zhang', 'sander-op-2024')).toEqual({ name: 'zhang', role: 'operator' });
    expect(await users.verify('zhang', 'sander-op-2025')).toBeNull();
    expect(await users.verify('nobody', 'sander-op-2024')).toBeNull();
  });

  it('sees a user added after the store was created, without a restart', async () => {
    const users = new UserStore(file);
    expect(await users.verify('li', 'shift-lead-2024')).toBeNull();
    await addUser(file, 'li', 'shift-lead-2024', 'supervisor');
    expect(await users.verify('li', 'shift-lead-2024')).toEqual({ name: 'li', role: 'supervisor' });
  });

  it('refuses a duplicate, a short password, a bad name or role, and replaces only when asked', async () => {
    await addUser(file, 'zhang', 'sander-op-2024', 'operator');
    await expect(addUser(file, 'zhang', 'another-pass', 'operator')).rejects.toThrow(/already exists/);
    await expect(addUser(file, 'wu', 'short', 'operator')).rejects.toThrow(/at least 8/);
    await expect(addUser(file, 'bad name', 'long-enough-1', 'operator')).rejects.toThrow(/user name/);
    // @ts-expect-error: the CLI passes whatever was typed; the function must still refuse it
    await expect(addUser(file, 'wu', 'long-enough-1', 'admin')).rejects.toThrow(/role/);
    await addUser(file, 'zhang', 'new-password-1', 'supervisor', { replace: true });
    const users = new UserStore(file);
    expect(await users.verify('zhang', 'sander-op-2024')).toBeNull();
    expect(await users.verify('zhang', 'new-password-1')).toEqual({ name: 'zhang', role: 'supervisor' });
    expect(await removeUser(file, 'zhang')).toBe(true);
    expect(await listUsers(file)).toEqual([]);
  });
});
