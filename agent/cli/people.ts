/**
 * `firebreak people add|list|remove|export`: the special-operations ledger (特种作业人员台账) on
 * the gateway, the same file the page's supervisors manage (agent/tickets/people-ledger.ts),
 * beside the buffer the site file names. The running agent reads it on every use: no restart.
 */
import { parseArgs } from 'node:util';
import { formatProblem, loadSiteFile } from '../config/load.js';
import { EX_CONFIG, EX_OK, EX_USAGE } from '../core/exit-codes.js';
import { giveToAgentUser } from './agent-owner.js';
import { COMMANDS, commandUsage } from './commands.js';
import { certificateStatus, endOfDay, ledgerFile, PeopleLedger, type Certificate } from '../tickets/people-ledger.js';


export const DEFAULT_SITE_FILE = '/etc/firebreak/site.yaml';

export async function peopleCommand(args: string[], out: (l: string) => void, err: (l: string) => void, now: () => number = Date.now): Promise<number> {
  const usage = (problem: string) => {
    err(`firebreak people: ${problem}\n\n${commandUsage('people')}`);
    return EX_USAGE;
  };
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: COMMANDS.people.flags });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { positionals, values } = parsed;
  const [verb, name, ...extra] = positionals;
  if (extra.length) return usage(`unexpected ${extra.join(' ')}`);
  let file = values.ledger;
  let timeZone: string | undefined;
  if (!file) {
    const site = await loadSiteFile(values.config ?? DEFAULT_SITE_FILE);
    if (!site.ok) {
      err(`${values.config ?? DEFAULT_SITE_FILE}: the site file has problems (firebreak check lists them); or give --ledger FILE`);
      for (const p of site.problems) err(formatProblem(p));
      return EX_CONFIG;
    }
    file = ledgerFile(site.config.buffer.path);
    timeZone = site.config.site.timezone;
  }
  const ledger = new PeopleLedger(file);
  switch (verb) {
    case 'list': {
      if (name) return usage('list takes no name');
      const t = now();
      for (const p of await ledger.list()) {
        const certs = p.certificates.map((c) => `${c.type} ${c.number} (${c.authority}) → ${new Date(c.expires - 1).toISOString().slice(0, 10)} ${certificateStatus(c, t)}`);
        out(`${p.name}\t${certs.join('; ') || 'no certificate'}`);
      }
      return EX_OK;
    }
    case 'export':
      if (name) return usage('export takes no name');
      process.stdout.write(await ledger.csv(now(), timeZone));
      return EX_OK;
    case 'remove': {
      if (!name) return usage('remove needs a NAME');
      const r = await ledger.remove(name);
      if (!r.ok) {
        err(`firebreak people remove: ${r.reason.en} (${r.reason.zh})`);
        return EX_USAGE;
      }
      out(`removed ${name} from ${file}`);
      return EX_OK;
    }
    case 'add': {
      if (!name) return usage('add needs a NAME');
      const certs: Partial<Certificate>[] = [];
      for (const spec of values.cert ?? []) {
        const parts = spec.split(',').map((s) => s.trim());
        const expires = parts.length === 4 ? endOfDay(parts[3]!, timeZone) : undefined;
        if (parts.length !== 4 || expires === undefined) return usage(`--cert ${spec}: must be TYPE,NUMBER,AUTHORITY,YYYY-MM-DD`);
        certs.push({ type: parts[0]!, number: parts[1]!, authority: parts[2]!, expires });
      }
      const r = await ledger.add(name, certs, process.env.SUDO_USER ?? process.env.USER ?? 'installer', now(), { replace: values.replace ?? false });
      if (!r.ok) {
        err(`firebreak people add: ${r.reason.en} (${r.reason.zh})`);
        return EX_USAGE;
      }
      await giveToAgentUser(file, values['agent-user'], 'people', err);
      out(`${r.person.name} saved in ${file} with ${r.person.certificates.length} certificate(s)`);
      return EX_OK;
    }
    default:
      return usage(verb ? `unknown subcommand ${verb}` : 'say add, list, remove or export');
  }
}
