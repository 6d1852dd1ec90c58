/**
 * `firebreak user add NAME`: operator-page users, scrypt-hashed. The password comes from
 * FIREBREAK_PASSWORD (scripted installs) or is asked twice on the terminal, never echoed.
 */
import { parseArgs } from 'node:util';
import { chown } from 'node:fs/promises';
import { addUser, listUsers, removeUser, ROLES, type Role } from '../hmi/users.js';
import { lookupUser } from '../provision/keys.js';
import { EX_OK, EX_USAGE } from '../core/exit-codes.js';

export const DEFAULT_USERS_FILE = '/etc/firebreak/users.json';

export async function userCommand(args: string[], out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string', default: 'operator' }, users: { type: 'string', default: DEFAULT_USERS_FILE }, replace: { type: 'boolean' } },
  });
  const [verb, name] = positionals;
  const file = values.users;
  if (verb === 'list') {
    for (const u of await listUsers(file)) out(`${u.name}\t${u.role}`);
    return EX_OK;
  }
  if (!name || (verb !== 'add' && verb !== 'remove')) {
    err('usage: firebreak user add NAME [--role operator|supervisor] [--users FILE] [--replace]\n       firebreak user remove NAME | firebreak user list');
    return EX_USAGE;
  }
  if (verb === 'remove') {
    const removed = await removeUser(file, name);
    (removed ? out : err)(removed ? `removed ${name} from ${file}` : `no user ${name} in ${file}`);
    return removed ? EX_OK : EX_USAGE;
  }
  const role = values.role as Role;
  if (!ROLES.includes(role)) {
    err(`--role must be one of ${ROLES.join(', ')} (got ${values.role})`);
    return EX_USAGE;
  }
  const password = process.env.FIREBREAK_PASSWORD ?? (await askTwice());
  try {
    await addUser(file, name, password, role, { replace: values.replace ?? false });
  } catch (e) {
    err(`firebreak user add: ${(e as Error).message}`);
    return EX_USAGE;
  }
  await giveToServiceUser(file);
  out(`${name} (${role}) saved in ${file}`);
  return EX_OK;
}

/** Run as root (the installer), the file must still be readable by the agent's own user. */
async function giveToServiceUser(file: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const owner = await lookupUser('firebreak');
  if (owner) await chown(file, owner.uid, owner.gid);
}

async function askTwice(): Promise<string> {
  const first = await askHidden('password: ');
  const second = await askHidden('again: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new Error('no terminal to ask for the password: set FIREBREAK_PASSWORD');
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(text);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new Error('cancelled'));
          return;
        }
        text = ch === '\u007f' ? text.slice(0, -1) : text + ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}
