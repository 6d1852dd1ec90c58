#!/usr/bin/env node
/**
 * The `firebreak` command. Nothing runs at import time of the modules it uses; everything is
 * built in app.ts. Configuration errors print the full list and exit 78, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { EX_SOFTWARE, EX_USAGE } from './core/exit-codes.js';
import { COMMANDS, commandHelp, commandUsage, isCommand, overview, type CommandName } from './cli/commands.js';

// Each command loads only what it needs: `firebreak check` on a Pi must not wait for SQLite,
// MQTT and the serial stack to load. The help of every command is in cli/commands.ts.

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** the command being run, for the usage printed with a parse error */
let current: CommandName | undefined;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    if (command === 'help' && isCommand(rest[0])) out(commandHelp(rest[0]));
    else out(overview());
    return 0;
  }
  if (command === '--version' || command === '-V') {
    out(`firebreak ${await version()}`);
    return 0;
  }
  if (!isCommand(command)) {
    err(`firebreak: unknown command ${command}\n`);
    err(overview());
    return EX_USAGE;
  }
  // `--help` anywhere after the command, as git and systemctl take it
  if (rest.includes('--help') || rest.includes('-h')) {
    out(commandHelp(command));
    return 0;
  }
  current = command;
  const code = await runCommand(command, rest);
  // the command said what was wrong; its own usage follows, not the whole list
  if (code === EX_USAGE) err(`\n${commandUsage(command)}`);
  return code;
}

async function runCommand(command: CommandName, rest: string[]): Promise<number> {
  switch (command) {
    case 'check': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: COMMANDS.check.flags });
      if (positionals.length !== 1) return problem('takes one site file');
      return (await import('./cli/check.js')).checkCommand(positionals[0]!, out, err);
    }
    case 'run': {
      const { values } = parseArgs({ args: rest, options: COMMANDS.run.flags });
      return (await import('./cli/run.js')).runCommand({ configFile: values.config ?? '/etc/firebreak/site.yaml', simulate: values.simulate ?? false, out, err });
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: COMMANDS.demo.flags });
      const hmiPort = values['hmi-port'] === undefined ? 8080 : Number(values['hmi-port']);
      if (!Number.isInteger(hmiPort) || hmiPort < 0 || hmiPort > 65535) return problem('--hmi-port must be 0..65535');
      return (await import('./cli/demo.js')).demoCommand({ hmiPort, out, err });
    }
    case 'user':
      return (await import('./cli/user.js')).userCommand(rest, out, err);
    case 'people':
      return (await import('./cli/people.js')).peopleCommand(rest, out, err);
    case 'provision':
      return (await import('./cli/provision.js')).provisionCommand(rest, out, err);
    case 'safe-state': {
      const { values } = parseArgs({ args: rest, options: COMMANDS['safe-state'].flags });
      return (await import('./cli/safe-state.js')).safeStateCommand(values.config ?? '/etc/firebreak/site.yaml', out, err);
    }
    case 'report':
      return (await import('./cli/report.js')).reportCommand(rest, { out: (text) => process.stdout.write(text), err });
    case 'doctor':
      return (await import('./cli/doctor.js')).doctorCommand(rest, out, err);
    case 'scan': {
      let interrupted = false;
      process.once('SIGINT', () => (interrupted = true));
      return (await import('./cli/scan.js')).scanCommand(rest, {
        out,
        err,
        tty: process.stderr.isTTY === true,
        draw: (text) => process.stderr.write(text),
        cancelled: () => interrupted,
      });
    }
    case 'read':
      return (await import('./cli/field-read.js')).readCommand(rest, { out, err });
    case 'write': {
      const w = await import('./cli/field-write.js');
      return w.writeCommand(rest, { out, err, confirm: w.terminalConfirm() });
    }
    case 'gpio': {
      if (rest[0] !== 'watch') return problem('takes one subcommand: watch');
      const until = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return (await import('./cli/gpio-watch.js')).gpioWatchCommand(rest.slice(1), { out, err, until });
    }
    case 'schema': {
      parseArgs({ args: rest, options: COMMANDS.schema.flags });
      const [{ z }, { SiteConfigSchema }] = await Promise.all([import('zod'), import('./config/schema.js')]);
      out(JSON.stringify(z.toJSONSchema(SiteConfigSchema, { io: 'input', unrepresentable: 'any' }), null, 2));
      return 0;
    }
    case 'completion':
      parseArgs({ args: rest, options: COMMANDS.completion.flags });
      process.stdout.write((await import('./cli/completion.js')).bashCompletion());
      return 0;
  }
}

/** A usage error of the command in hand: main() prints its usage after the sentence. */
function problem(text: string): number {
  err(`firebreak ${current}: ${text}`);
  return EX_USAGE;
}

async function version(): Promise<string> {
  const [{ readFile }, { join }, { packageRoot }] = await Promise.all([import('node:fs/promises'), import('node:path'), import('./core/paths.js')]);
  return (JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

main(process.argv.slice(2)).then(
  (code) => {
    // run and demo keep the process alive; the others end here
    if (code !== undefined && code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`firebreak${current ? ` ${current}` : ''}: ${e.message}\n`);
      err(current ? commandUsage(current) : overview());
      process.exitCode = EX_USAGE;
      return;
    }
    err(`firebreak: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = EX_SOFTWARE;
  },
);
