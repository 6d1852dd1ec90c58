/**
 * The command line as an installer on a ladder meets it, from the compiled CLI: every command's
 * own --help (its flags, an example), --version, a usage error answered with that command's
 * usage only, the bash completion generated from the same table, `scan` where udev is absent,
 * and `user add` handing the users file to the agent's user.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../agent/cli/commands.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/agent/cli.js');
const completionFile = join(root, 'scripts/firebreak-completion.bash');
const names = Object.keys(COMMANDS);

function firebreak(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('firebreak COMMAND --help', () => {
  it.each(names)('%s --help names the command, every flag it takes and an example, exit 0', (name) => {
    const r = firebreak([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: firebreak ${name}\\b`));
    for (const [flag, spec] of Object.entries(COMMANDS[name as keyof typeof COMMANDS].flags)) {
      expect(r.stdout).toMatch(new RegExp(`^  --${flag}${'short' in spec ? `, -${spec.short}` : ''}\\b`, 'm'));
    }
    expect(r.stdout).toMatch(/^examples?:\n {2}(sudo )?firebreak /m);
    // one command's help, not the overview
    expect(r.stdout).not.toContain(name === 'demo' ? 'safe-state' : 'scripted story');
  });

  it('shows user list and user remove, and every provision flag', () => {
    const user = firebreak(['user', '-h']).stdout;
    expect(user).toContain('firebreak user remove NAME');
    expect(user).toContain('firebreak user list');
    const provision = firebreak(['provision', '--help']).stdout;
    for (const flag of ['enterprise', 'gateway', 'device', 'from-scan', 'mqtt-url', 'tls', 'key-type', 'ip-allow', 'no-ip-allow', 'ip-allow-only', 'list-templates', 'force', 'secrets-dir', 'feed']) {
      expect(provision).toMatch(new RegExp(`^  --${flag} `, 'm'));
    }
  });

  it('has a row in the README’s table of commands for every command', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const name of names) expect(readme).toMatch(new RegExp(`^\\| \`firebreak ${name}\\b`, 'm'));
  });

  it('gives the version of package.json', () => {
    const r = firebreak(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`firebreak ${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`);
  });

  it('lists every command without one, and `help scan` is scan’s help', () => {
    const r = firebreak([]);
    expect(r.code).toBe(0);
    for (const name of names) expect(r.stdout).toMatch(new RegExp(`^ {2}firebreak ${name}\\b`, 'm'));
    expect(firebreak(['help', 'scan']).stdout).toBe(firebreak(['scan', '--help']).stdout);
  });
});

describe('a usage error', () => {
  it.each([
    [['scan', '--bogus'], 'scan', "Unknown option '--bogus'"],
    [['report', '--period', 'fortnight'], 'report', '--period must be one of shift, day, week, month'],
    [['user', 'frobnicate'], 'user', 'unknown subcommand frobnicate'],
    [['check'], 'check', 'takes one site file'],
    [['read', '--unit', '1'], 'read', '--port is required'],
    [['gpio'], 'gpio', 'takes one subcommand: watch'],
  ])('%j says what is wrong, then that command’s usage only, exit 64', (args, name, problem) => {
    const r = firebreak(args);
    expect(r.code).toBe(64);
    const [first, ...rest] = r.stderr.trim().split('\n');
    expect(first).toContain(`firebreak ${name}: ${problem}`);
    expect(rest.join('\n')).toContain(`usage: firebreak ${name}`);
    expect(rest.join('\n')).toContain(`(firebreak ${name} --help: every flag, with an example)`);
    // not the whole list
    expect(r.stderr.match(/firebreak [a-z-]+ /g)!.every((m) => m === `firebreak ${name} `)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the bash completion', () => {
  it('is the script `firebreak completion` generates from the command table, and offers every command', () => {
    const generated = firebreak(['completion']).stdout;
    expect(readFileSync(completionFile, 'utf8'), 'scripts/firebreak-completion.bash is stale: node dist/agent/cli.js completion > scripts/firebreak-completion.bash').toBe(generated);
    expect(spawnSync('bash', ['-n', completionFile]).status).toBe(0);
    expect(complete('firebreak ').split(' ').sort()).toEqual([...names, '--help', '--version'].sort());
  });

  it('completes commands, flags, their values and subcommands as bash would', () => {
    expect(complete('firebreak sc')).toBe('schema scan');
    expect(complete('firebreak scan --pa')).toBe('--parity');
    expect(complete('firebreak report --period ')).toBe('shift day week month');
    expect(complete('firebreak user ')).toBe('add remove list');
    expect(complete('firebreak provision --ip-allow-')).toBe('--ip-allow-only');
    expect(complete('firebreak gpio watch --backend g')).toBe('gpiod');
  });
});

/** COMPREPLY for the words typed so far (the last one is being completed) */
function complete(line: string): string {
  const words = line.split(' ');
  const script = `source ${JSON.stringify(completionFile)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _firebreak; echo "\${COMPREPLY[*]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('firebreak scan where udev is absent', () => {
  it('says so in a sentence, with no internal error text', () => {
    // no udevadm on the PATH: SerialPort.list() fails as it does in a container or a minimal image
    const r = firebreak(['scan'], { PATH: '/nonexistent' });
    expect([0, 69]).toContain(r.code);
    expect(r.stderr).toContain('udev is not running here, so the ports are listed from /dev');
    expect(r.stderr).not.toMatch(/ENOENT|spawn|udevadm|Error/);
  });
});

describe('firebreak user', () => {
  const asRoot = process.getuid?.() === 0;
  const usersFile = () => join(mkdtempSync(join(tmpdir(), 'fb-users-')), 'users.json');

  it.runIf(asRoot)('add, run as root, gives the users file to the agent’s user and group, mode 0640, and so does remove', () => {
    const file = usersFile();
    // nobody (65534) stands in for the agent's user: it exists on every Debian system
    const add = firebreak(['user', 'add', 'zhangsan', '--role', 'supervisor', '--users', file, '--agent-user', 'nobody'], { FIREBREAK_PASSWORD: 'correct horse' });
    expect([add.code, add.stdout.trim()]).toEqual([0, `zhangsan (supervisor) saved in ${file}`]);
    const nobody = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':');
    const st = statSync(file);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([Number(nobody[2]), Number(nobody[3]), 0o640]);

    firebreak(['user', 'add', 'lisi', '--users', file, '--agent-user', 'nobody'], { FIREBREAK_PASSWORD: 'battery staple' });
    const removed = firebreak(['user', 'remove', 'lisi', '--users', file, '--agent-user', 'nobody']);
    expect(removed.code).toBe(0);
    const after = statSync(file);
    expect([after.uid, after.gid, after.mode & 0o777]).toEqual([Number(nobody[2]), Number(nobody[3]), 0o640]);
    expect(firebreak(['user', 'list', '--users', file]).stdout).toBe('zhangsan\tsupervisor\n');
  });

  it.runIf(asRoot)('warns, and leaves the file root’s, when the agent’s user does not exist', () => {
    const file = usersFile();
    const r = firebreak(['user', 'add', 'zhangsan', '--users', file, '--agent-user', 'no-such-agent'], { FIREBREAK_PASSWORD: 'correct horse' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: no user no-such-agent on this system, so ${file} stays root's (mode 0600)`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('remove of a user who is not there says so and exits 1 (not a usage error)', () => {
    const file = usersFile();
    writeFileSync(file, '{"version":1,"users":[]}\n');
    const r = firebreak(['user', 'remove', 'ghost', '--users', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`firebreak user remove: no user ghost in ${file}`);
  });
});
