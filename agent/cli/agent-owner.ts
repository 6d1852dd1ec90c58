/**
 * A file the CLI writes as root for the agent to read (the page's users, the special-operations
 * ledger): handed to the agent's user and group, mode 0640. Run as anyone else, it stays theirs.
 */
import { chmod, chown, stat } from 'node:fs/promises';
import { lookupUser } from '../provision/keys.js';

export async function giveToAgentUser(file: string, agentUser: string, command: string, err: (l: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const owner = await lookupUser(agentUser);
  if (!owner) {
    const mode = ((await stat(file)).mode & 0o777).toString(8).padStart(4, '0');
    err(`firebreak ${command}: warning: no user ${agentUser} on this system, so ${file} stays root's (mode ${mode}) and the agent cannot read it; create the user or give --agent-user`);
    return;
  }
  await chown(file, owner.uid, owner.gid);
  await chmod(file, 0o640);
}
