/**
 * `firebreak user add|remove|list`: operator-page users, scrypt-hashed. The password comes from
 * FIREBREAK_PASSWORD (scripted installs) or is asked twice on the terminal, never echoed. Each
 * change rewrites the file (mode 0600, owned by whoever ran it), so each change hands it back
 * to the agent's user.
 */
import { parseArgs } from 'node:util';
import { addUser, listUsers, removeUser, ROLES, type Role } from '../hmi/users.js';
import { EX_OK, EX_USAGE } from '../core/exit-codes.js';
import { giveToAgentUser } from './agent-owner.js';
import { COMMANDS } from './commands.js';

export async function userCommand(args: string[], out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: COMMANDS.user.flags });
  const [verb, name] = positionals;
  const file = values.users;
  if (verb === 'list') {
    for (const u of await listUsers(file)) out(`${u.name}\t${u.role}`);
    return EX_OK;
  }
  if (verb !== 'add' && verb !== 'remove') {
    err(verb === undefined ? 'firebreak user: add NAME, remove NAME or list?' : `firebreak user: unknown subcommand ${verb} (add, remove or list)`);
    return EX_USAGE;
  }
  if (!name || positionals.length > 2) {
    err(`firebreak user ${verb}: takes one user name`);
    return EX_USAGE;
  }
  if (verb === 'remove') {
    const removed = await removeUser(file, name);
    if (!removed) {
      err(`firebreak user remove: no user ${name} in ${file}`);
      return 1;
    }
    await giveToAgentUser(file, values['agent-user'], 'user', err);
    out(`removed ${name} from ${file}`);
    return EX_OK;
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
  await giveToAgentUser(file, values['agent-user'], 'user', err);
  out(`${name} (${role}) saved in ${file}`);
  return EX_OK;
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
