#!/usr/bin/env node
/**
 * The `firebreak` command. Nothing runs at import time of the modules it uses; everything is
 * built in app.ts. Configuration errors print the full list and exit 78, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { EX_SOFTWARE, EX_USAGE } from './core/exit-codes.js';

// Each command loads only what it needs: `firebreak check` on a Pi must not wait for SQLite,
// MQTT and the serial stack to load.

const USAGE = `firebreak — edge agent for dust-hazard workshops

  firebreak run --config /etc/firebreak/site.yaml [--simulate]
      run the agent; --simulate puts the built-in simulators behind sim: ports and GPIO
  firebreak demo [--hmi-port 8080]
      run the agent on its simulators with a scripted story and an embedded MQTT broker
  firebreak check site.yaml
      list every problem in a site file (exit 78), or summarise a good one (exit 0)
  firebreak user add NAME [--role operator|supervisor] [--users FILE]
      create or update an operator-page user (asks for the password, or reads FIREBREAK_PASSWORD)
  firebreak people add NAME [--cert TYPE,NUMBER,AUTHORITY,YYYY-MM-DD]... | list | remove NAME | export
      the special-operations ledger (特种作业人员台账) that work tickets name
  firebreak schema
      print the site file's JSON Schema, for editor completion
  firebreak scan [--port /dev/ttyUSB0] [--baud 9600,19200] [--parity none,even] [--units 1-20] [--timeout MS] [--json]
      find the Modbus devices on a line (usual baud rates, parities, unit ids 1..247), with a
      sample of their registers; without --port, list the serial ports
  firebreak read --port P --unit N [--table holding|input|coil|discrete] --address A [--count C]
                 [--type uint16|int16|uint32|int32|float32] [--word-order big|little] [--baud B] [--parity P]
      read registers of one device and print them decoded
  firebreak write --port P --unit N [--table holding|coil] --address A --value V [--type T] [--yes]
      write one register or coil (asks first on a terminal; needs --yes otherwise), then read it back
  firebreak gpio watch [--config site.yaml] [--lines 5,6,17] [--backend auto|onoff|gpiod|sim]
      print each contact change with its time and input name, for wiring checks
  firebreak provision [--enterprise CODE --gateway ID --mqtt-url URL --device TEMPLATE[:ID]@UNIT ...]
      write /etc/firebreak/site.yaml from device templates, asking for what flags do not give;
      --from-scan scan.json starts from \`firebreak scan\` results; --tls makes the client key and CSR;
      also writes the IPAddressAllow= drop-in for firebreak.service (--ip-allow PATH, --no-ip-allow;
      --ip-allow-only rewrites just the drop-in from the existing site file)
  firebreak doctor [--config /etc/firebreak/site.yaml] [--user firebreak]
      check the gateway (groups, serial ports, GPIO, clock, platform, disk, watchdog, site file):
      one line each with the fix; exit 1 when a check fails
  firebreak report --config FILE --period shift|day|week|month [--at DATE] [--format html|pdf|json] [--out FILE]
      a period's risk digest (level, reasons, figures, charts) from the buffer, printable (A4)
  firebreak safe-state --config /etc/firebreak/site.yaml
      write every output to its safe state and exit (systemd's ExecStopPost)
`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      if (positionals.length !== 1) return usage('check takes one site file');
      return (await import('./cli/check.js')).checkCommand(positionals[0]!, out, err);
    }
    case 'run': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' }, simulate: { type: 'boolean' } } });
      return (await import('./cli/run.js')).runCommand({ configFile: values.config ?? '/etc/firebreak/site.yaml', simulate: values.simulate ?? false, out, err });
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { 'hmi-port': { type: 'string' } } });
      const hmiPort = values['hmi-port'] === undefined ? 8080 : Number(values['hmi-port']);
      if (!Number.isInteger(hmiPort) || hmiPort < 0 || hmiPort > 65535) return usage('--hmi-port must be 0..65535');
      return (await import('./cli/demo.js')).demoCommand({ hmiPort, out, err });
    }
    case 'user':
      return (await import('./cli/user.js')).userCommand(rest, out, err);
    case 'people':
      return (await import('./cli/people.js')).peopleCommand(rest, out, err);
    case 'provision':
      return (await import('./cli/provision.js')).provisionCommand(rest, out, err);
    case 'safe-state': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
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
      if (rest[0] !== 'watch') return usage('gpio takes one subcommand: watch');
      const until = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return (await import('./cli/gpio-watch.js')).gpioWatchCommand(rest.slice(1), { out, err, until });
    }
    case 'schema': {
      const [{ z }, { SiteConfigSchema }] = await Promise.all([import('zod'), import('./config/schema.js')]);
      out(JSON.stringify(z.toJSONSchema(SiteConfigSchema, { io: 'input', unrepresentable: 'any' }), null, 2));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return 0;
    default:
      return usage(`unknown command ${command}`);
  }
}

function usage(problem: string): number {
  err(`firebreak: ${problem}\n`);
  err(USAGE);
  return EX_USAGE;
}

main(process.argv.slice(2)).then(
  (code) => {
    // run and demo keep the process alive; the others end here
    if (code !== undefined && code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.exitCode = usage(e.message);
      return;
    }
    err(`firebreak: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = EX_SOFTWARE;
  },
);
