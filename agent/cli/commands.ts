/**
 * The one table of `firebreak` commands: each command's flags (what node:util parseArgs takes,
 * plus the meaning and the value's placeholder), its synopsis and an example. The overview, every
 * `firebreak COMMAND --help`, the usage printed with a usage error, the README's table and the
 * bash completion (scripts/firebreak-completion.bash) are all read from it, so they cannot drift
 * apart (docs/STYLE.md, "A command line helps where it is used"). No imports: `firebreak --help`
 * loads nothing else.
 */

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** parseArgs' own default (shown in the help) */
  default?: string;
  /** the value's placeholder in the help: FILE, MS, 1-20 */
  arg?: string;
  /** values completion offers; the command still checks them */
  choices?: readonly string[];
  /** completion offers file names */
  file?: boolean;
  help: string;
}

export interface CommandSpec {
  /** the command line in the overview and the usage, after `firebreak ` */
  synopsis: readonly string[];
  summary: string;
  /** words completion offers right after the command (user add|remove|list, gpio watch) */
  words?: readonly string[];
  flags: Readonly<Record<string, FlagSpec>>;
  examples: readonly string[];
  /** lines of help after the flags */
  notes?: readonly string[];
}

const config = (fallback = '/etc/firebreak/site.yaml') => ({ type: 'string', short: 'c', arg: 'FILE', file: true, help: `the site file (default ${fallback})` }) as const satisfies FlagSpec;
const BAUDS = ['1200', '2400', '4800', '9600', '19200', '38400', '57600', '115200'] as const;
const line = {
  port: { type: 'string', short: 'p', arg: 'DEV', file: true, help: 'the serial port: /dev/ttyUSB0, or better its /dev/serial/by-id/... name' },
  baud: { type: 'string', short: 'b', arg: 'BAUD', choices: BAUDS, help: 'baud rate (default 9600)' },
  parity: { type: 'string', arg: 'PARITY', choices: ['none', 'even', 'odd'], help: 'none, even or odd (default none)' },
  unit: { type: 'string', short: 'u', arg: 'N', help: 'the device\'s Modbus unit id, 1..247' },
  timeout: { type: 'string', arg: 'MS', help: 'how long to wait for an answer, 20..10000 ms' },
} as const satisfies Record<string, FlagSpec>;
const register = {
  ...line,
  table: { type: 'string', short: 't', arg: 'TABLE', choices: ['holding', 'input', 'coil', 'discrete'], help: 'holding (default), input, coil or discrete' },
  address: { type: 'string', short: 'a', arg: 'A', help: 'the first register or coil, 0..65535 (as the manual numbers it from 0)' },
  type: { type: 'string', arg: 'TYPE', choices: ['uint16', 'int16', 'uint32', 'int32', 'float32', 'bool'], help: 'how to decode: uint16 (default), int16, uint32, int32, float32; bool for coils' },
  'word-order': { type: 'string', arg: 'ORDER', choices: ['big', 'little'], help: 'word order of 32-bit values: big (default) or little' },
} as const satisfies Record<string, FlagSpec>;

export const COMMANDS = {
  run: {
    synopsis: ['run --config /etc/firebreak/site.yaml [--simulate]'],
    summary: 'run the agent (systemd runs this)',
    flags: {
      config: config(),
      simulate: { type: 'boolean', help: 'put the built-in simulators behind sim: ports and the GPIO (a bench without hardware)' },
    },
    examples: ['firebreak run --config /etc/firebreak/site.yaml', 'firebreak run --config config/demo.site.yaml --simulate'],
  },
  demo: {
    synopsis: ['demo [--hmi-port 8080]'],
    summary: 'run the agent on its simulators with a scripted story and an embedded MQTT broker',
    flags: { 'hmi-port': { type: 'string', arg: 'PORT', help: 'the operator page\'s port, 0 for any free one (default 8080)' } },
    examples: ['firebreak demo --hmi-port 0'],
    notes: ['Data goes to ./demo-data/. Log in on the page as operator / firebreak.'],
  },
  check: {
    synopsis: ['check site.yaml'],
    summary: 'list every problem in a site file (exit 78), or summarise a good one (exit 0)',
    flags: {},
    examples: ['firebreak check /etc/firebreak/site.yaml'],
  },
  user: {
    synopsis: ['user add NAME [--role operator|supervisor] [--users FILE] [--replace] [--agent-user NAME]', 'user remove NAME [--users FILE]', 'user list [--users FILE]'],
    summary: 'add, remove or list the operator page\'s users',
    words: ['add', 'remove', 'list'],
    flags: {
      role: { type: 'string', default: 'operator', arg: 'ROLE', choices: ['operator', 'supervisor'], help: 'operator (acknowledge, reset, record hazards) or supervisor (also shelve, sign the shift briefing, close hazards)' },
      users: { type: 'string', default: '/etc/firebreak/users.json', arg: 'FILE', file: true, help: 'the users file' },
      replace: { type: 'boolean', help: 'change the password or role of a user who exists' },
      'agent-user': { type: 'string', default: 'firebreak', arg: 'NAME', help: 'the agent\'s user: as root, the file is given to it and its group, mode 0640' },
    },
    examples: ['sudo firebreak user add zhangsan --role supervisor', 'sudo firebreak user remove zhangsan', 'firebreak user list --users ./demo-data/users.json'],
    notes: ['The password is asked twice on the terminal (never echoed), or read from FIREBREAK_PASSWORD.'],
  },
  schema: {
    synopsis: ['schema'],
    summary: 'print the site file\'s JSON Schema, for editor completion',
    flags: {},
    examples: ['firebreak schema > site.schema.json'],
  },
  scan: {
    synopsis: ['scan [--port /dev/ttyUSB0] [--baud 9600,19200] [--parity none,even] [--units 1-20] [--timeout MS] [--json]'],
    summary: 'find the Modbus devices on a line, with a sample of their registers; without --port, list the serial ports',
    flags: {
      port: line.port,
      baud: { ...line.baud, arg: 'BAUDS', help: 'baud rates to try, comma-separated (default all eight, 9600 and 19200 first)' },
      parity: { ...line.parity, arg: 'PARITIES', help: 'parities to try, comma-separated (default none, even, odd)' },
      units: { type: 'string', arg: 'IDS', help: 'unit ids to try: 1-20 or 1,3,10-12 (default 1-247)' },
      timeout: { ...line.timeout, help: 'wait per probe, 20..10000 ms (default: from the baud rate)' },
      json: { type: 'boolean', help: 'print the findings as JSON, for provision --from-scan' },
    },
    examples: ['firebreak scan', 'firebreak scan --port /dev/ttyUSB0 --baud 9600 --units 1-20', 'firebreak scan --port /dev/ttyUSB0 --json > scan.json'],
    notes: ['A full scan tries 8 baud rates × 3 parities × 247 unit ids and prints how long it may take before it starts: narrow it with --baud, --parity and --units.'],
  },
  read: {
    synopsis: ['read --port P --unit N [--table holding|input|coil|discrete] --address A [--count C]', '     [--type uint16|int16|uint32|int32|float32] [--word-order big|little] [--baud B] [--parity P]'],
    summary: 'read registers of one device and print them decoded',
    flags: { ...register, count: { type: 'string', short: 'c', arg: 'C', help: 'how many values, 1..125 (default 1)' } },
    examples: ['firebreak read --port /dev/ttyUSB0 --unit 1 --address 0 --count 4'],
  },
  write: {
    synopsis: ['write --port P --unit N [--table holding|coil] --address A --value V [--type T] [--yes]'],
    summary: 'write one register or coil, then read it back',
    flags: {
      ...register,
      table: { ...register.table, choices: ['holding', 'coil'], help: 'holding (default) or coil' },
      value: { type: 'string', short: 'v', arg: 'V', help: 'a number for a register, on or off for a coil' },
      yes: { type: 'boolean', short: 'y', help: 'write without asking (needed when not on a terminal)' },
    },
    examples: ['firebreak write --port /dev/ttyUSB0 --unit 1 --address 10 --value 1800'],
  },
  gpio: {
    synopsis: ['gpio watch [--config site.yaml] [--lines 5,6,17] [--backend auto|onoff|gpiod|sim] [--debounce MS]'],
    summary: 'print each contact change with its time and input name, for wiring checks',
    words: ['watch'],
    flags: {
      config: { ...config(), help: 'watch the inputs of this site file, with their names' },
      lines: { type: 'string', short: 'l', arg: 'LINES', help: 'BCM line numbers, comma-separated: 5,6,17' },
      backend: { type: 'string', arg: 'BACKEND', choices: ['auto', 'onoff', 'gpiod', 'sim'], help: 'auto (default), onoff, gpiod or sim' },
      debounce: { type: 'string', arg: 'MS', help: 'debounce, 0..10000 ms (default each input\'s from the site file, else 20)' },
    },
    examples: ['firebreak gpio watch --config /etc/firebreak/site.yaml', 'firebreak gpio watch --lines 5,6,17'],
    notes: ['Ctrl-C stops it.'],
  },
  provision: {
    synopsis: ['provision [--enterprise CODE --gateway ID --mqtt-url URL --device TEMPLATE[:ID]@UNIT ...]'],
    summary: 'write /etc/firebreak/site.yaml from device templates, asking for what flags do not give',
    flags: {
      enterprise: { type: 'string', arg: 'CODE', help: 'the enterprise\'s unified social credit code (统一社会信用代码)' },
      gateway: { type: 'string', arg: 'ID', help: 'the gateway id, e.g. GW-SANDING-01' },
      name: { type: 'string', arg: 'TEXT', help: 'the site\'s name (optional)' },
      port: { type: 'string', arg: 'DEV', file: true, help: 'the RS-485 port (default /dev/ttyUSB0)' },
      baud: { type: 'string', arg: 'BAUD', choices: BAUDS, help: 'its baud rate (default 9600)' },
      parity: { type: 'string', arg: 'PARITY', choices: ['none', 'even', 'odd'], help: 'its parity (default none)' },
      device: { type: 'string', multiple: true, arg: 'TEMPLATE[:ID]@UNIT', help: 'a device from a template at a unit id, e.g. dp-transmitter:dc1@1' },
      'from-scan': { type: 'string', arg: 'FILE', file: true, help: 'start from `firebreak scan --json` results' },
      'mqtt-url': { type: 'string', arg: 'URL', help: 'the platform\'s MQTT address, mqtts://host:8883' },
      'mqtt-username': { type: 'string', arg: 'NAME', help: 'the platform user name' },
      'mqtt-password-file': { type: 'string', arg: 'FILE', file: true, help: 'a file that already holds the platform password (else FIREBREAK_MQTT_PASSWORD or a question)' },
      tls: { type: 'boolean', help: 'make the gateway\'s client key and certificate signing request' },
      'key-type': { type: 'string', arg: 'TYPE', choices: ['rsa', 'ec'], help: 'rsa (default) or ec, for --tls' },
      ca: { type: 'string', arg: 'FILE', file: true, help: 'the platform\'s CA certificate, copied beside the key' },
      'no-uplink': { type: 'boolean', help: 'a site without a platform (no MQTT section)' },
      out: { type: 'string', arg: 'FILE', file: true, help: 'where to write the site file (default /etc/firebreak/site.yaml)' },
      'secrets-dir': { type: 'string', arg: 'DIR', file: true, help: 'where the password file goes (default secrets/ beside the site file)' },
      user: { type: 'string', arg: 'NAME', help: 'the agent\'s user, who gets the secrets (default firebreak)' },
      templates: { type: 'string', arg: 'DIR', file: true, help: 'a folder of device templates (default the built-in ones)' },
      'buffer-path': { type: 'string', arg: 'FILE', file: true, help: 'the buffer (default /var/lib/firebreak/buffer.db)' },
      hmi: { type: 'string', arg: 'HOST:PORT', help: 'where the operator page listens (default 0.0.0.0:8080)' },
      'no-hmi': { type: 'boolean', help: 'no operator page' },
      feed: { type: 'string', arg: 'PATH', help: 'the read-only local feed\'s socket, or off (default /run/firebreak/feed.sock)' },
      force: { type: 'boolean', help: 'replace an existing site file (kept as .bak) and key' },
      'ip-allow': { type: 'string', arg: 'PATH', file: true, help: 'where the IPAddressAllow= drop-in for firebreak.service goes' },
      'no-ip-allow': { type: 'boolean', help: 'write no drop-in' },
      'ip-allow-only': { type: 'boolean', help: 'rewrite just the drop-in from the existing site file (--out names it)' },
      'list-templates': { type: 'boolean', help: 'list the device templates and stop' },
      yes: { type: 'boolean', short: 'y', help: 'accepted for scripted installs; without a terminal nothing is asked anyway' },
    },
    examples: [
      'sudo firebreak provision --enterprise 91130100MA0EXAMPLE --gateway GW-SANDING-01 --mqtt-url mqtts://platform.example:8883 --tls --device dp-transmitter:dc1@1 --device dust-sensor@2',
      'sudo firebreak provision --from-scan scan.json',
      'firebreak provision --list-templates',
    ],
  },
  doctor: {
    synopsis: ['doctor [--config /etc/firebreak/site.yaml] [--user firebreak] [--check ID ...]'],
    summary: 'check the gateway (groups, serial ports, GPIO, clock, platform, disk, watchdog, site file): one line each with the fix; exit 1 when a check fails',
    flags: {
      config: config(),
      user: { type: 'string', arg: 'NAME', help: 'the agent\'s user (default firebreak)' },
      check: { type: 'string', multiple: true, arg: 'ID', help: 'run only this check (repeat for more)' },
      root: { type: 'string', arg: 'DIR', file: true, help: 'look at a system mounted at DIR instead of / (default /)' },
      'timeout-ms': { type: 'string', arg: 'MS', help: 'how long to wait for the platform (default 5000)' },
    },
    examples: ['sudo firebreak doctor', 'firebreak doctor --config ./site.yaml --check site'],
  },
  people: {
    synopsis: ['people add NAME [--cert TYPE,NUMBER,AUTHORITY,YYYY-MM-DD]... [--replace] [--config FILE | --ledger FILE]', 'people remove NAME [--config FILE | --ledger FILE]', 'people list [--config FILE | --ledger FILE]', 'people export [--config FILE | --ledger FILE]'],
    summary: 'the special-operations ledger (特种作业人员台账) that work tickets name: add, remove, list, export as CSV',
    words: ['add', 'remove', 'list', 'export'],
    flags: {
      cert: { type: 'string', multiple: true, arg: 'TYPE,NUMBER,AUTHORITY,YYYY-MM-DD', help: 'a certificate (特种作业操作证), valid through its expiry day' },
      replace: { type: 'boolean', help: 'replace a person already in the ledger' },
      config: config(),
      ledger: { type: 'string', arg: 'FILE', file: true, help: 'the ledger file itself (default: people.json beside the site file\'s buffer)' },
      'agent-user': { type: 'string', default: 'firebreak', arg: 'NAME', help: 'the agent\'s user: as root, the ledger is given to it and its group, mode 0640 (the page edits it)' },
    },
    examples: ['firebreak people add 张三 --cert 焊接与热切割作业,T110101199001011234,北京市应急管理局,2027-06-30', 'firebreak people export > people.csv'],
    notes: ['A certificate within 30 days of its expiry shows as a warning; an expired one cannot be named on a ticket that needs it. Someone on a ticket not yet closed cannot be removed.'],
  },
  report: {
    synopsis: ['report --config FILE --period shift|day|week|month [--at DATE] [--format html|pdf|json] [--out FILE]'],
    summary: 'a period\'s risk digest (level, reasons, figures, charts) from the buffer, printable (A4)',
    flags: {
      config: config(),
      period: { type: 'string', arg: 'PERIOD', choices: ['shift', 'day', 'week', 'month'], help: 'shift, day, week or month' },
      at: { type: 'string', arg: 'DATE', help: 'the period holding this date or time in the site\'s time zone, like 2026-12-02 or 2026-12-02T09:30 (default the last finished period)' },
      format: { type: 'string', arg: 'FORMAT', choices: ['html', 'pdf', 'json'], help: 'html (default), pdf (through chromium, needs --out) or json' },
      out: { type: 'string', short: 'o', arg: 'FILE', file: true, help: 'write here; html and json go to stdout without it' },
    },
    examples: ['firebreak report --config /etc/firebreak/site.yaml --period week --format pdf --out week.pdf', 'firebreak report --config /etc/firebreak/site.yaml --period day --at 2026-12-01 > day.html'],
    notes: ['PDF needs Debian\'s chromium (apt install chromium); HTML works without it.'],
  },
  'safe-state': {
    synopsis: ['safe-state --config /etc/firebreak/site.yaml'],
    summary: 'write every output to its safe state and exit (systemd\'s ExecStopPost)',
    flags: { config: config() },
    examples: ['firebreak safe-state --config /etc/firebreak/site.yaml'],
  },
  completion: {
    synopsis: ['completion'],
    summary: 'print the bash completion script (the packages install it)',
    flags: {},
    examples: ['firebreak completion > /etc/bash_completion.d/firebreak'],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** The global list: each command's synopsis and summary. */
export function overview(): string {
  const lines = ['firebreak — edge agent for dust-hazard workshops', ''];
  for (const spec of Object.values(COMMANDS) as CommandSpec[]) {
    spec.synopsis.forEach((s, i) => lines.push(`  ${i === 0 || !s.startsWith(' ') ? 'firebreak ' : '          '}${s}`));
    lines.push(`      ${spec.summary}`);
  }
  lines.push('', '  firebreak COMMAND --help   that command\'s flags and an example', '  firebreak --version');
  return lines.join('\n');
}

function usageLines(spec: CommandSpec): string[] {
  return spec.synopsis.map((s, i) => `${i === 0 ? 'usage: ' : '       '}${s.startsWith(' ') ? `         ${s.trimStart()}` : `firebreak ${s}`}`);
}

/** What a usage error prints after its sentence: the command's own usage, and where the rest is. */
export function commandUsage(name: CommandName): string {
  return [...usageLines(COMMANDS[name]), `(firebreak ${name} --help: every flag, with an example)`].join('\n');
}

/** One command's help: usage, what it does, every flag with its meaning, examples. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const lines = usageLines(spec);
  lines.push('', spec.summary);
  const flags: [string, string][] = Object.entries(spec.flags).map(([flag, f]) => [
    `--${flag}${f.short ? `, -${f.short}` : ''}${f.type === 'string' ? ` ${f.arg ?? 'VALUE'}` : ''}`,
    `${f.help}${f.default !== undefined ? ` (default ${f.default})` : ''}${f.multiple ? '; may be repeated' : ''}`,
  ]);
  flags.push(['--help, -h', 'this help']);
  const width = Math.min(30, Math.max(...flags.map(([head]) => head.length)));
  lines.push('', 'flags:');
  for (const [head, text] of flags) lines.push(head.length > width ? `  ${head}\n  ${' '.repeat(width)}  ${text}` : `  ${head.padEnd(width)}  ${text}`);
  for (const note of spec.notes ?? []) lines.push('', note);
  lines.push('', spec.examples.length === 1 ? 'example:' : 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
