import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadSiteFile, parseSiteText } from '../../agent/config/load.js';

const here = new URL('.', import.meta.url).pathname;
const sharedExample = `${here}../../../shared/spec/site.example.yaml`;

const lines = (text: string) => {
  const r = parseSiteText(text);
  if (r.ok) throw new Error('expected the file to be refused');
  return r.problems.map(formatProblem);
};

describe('the site file', () => {
  it('loads the installer example unchanged', async () => {
    const r = await loadSiteFile(`${here}../../config/site.example.yaml`);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.config.site.gateway).toBe('GW-SANDING-01');
    expect(r.config.devices.map((d) => d.id)).toEqual(['dc1', 'ds1']);
    expect(r.config.buffer.maxBytes).toBe(1024 ** 3);
    expect(r.config.interlocks[0]?.permitWhen).toHaveLength(5);
  });

  it.runIf(existsSync(sharedExample))('keeps its copy of the example identical to shared/spec', () => {
    expect(readFileSync(`${here}../../config/site.example.yaml`, 'utf8')).toBe(readFileSync(sharedExample, 'utf8'));
  });

  it.runIf(existsSync(`${here}../../../shared/spec/uplink-v1.schema.json`))('keeps its copy of the uplink contract schema identical to shared/spec', () => {
    expect(readFileSync(`${here}../../schema/uplink-v1.floor.schema.json`, 'utf8')).toBe(readFileSync(`${here}../../../shared/spec/uplink-v1.schema.json`, 'utf8'));
  });

  it('lists every mistake in the file at once, each with its path, what is allowed and what was found', () => {
    const problems = lines(`version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: GW1 }
buses: [ { id: rs485a, port: /dev/ttyUSB0, baudRate: 9601, parity: evn } ]
devices:
  - { id: dc1, bus: rs485a, unitId: 1, points: [ { id: dc1.dp, kind: differential_pressure, register: { table: holding, address: 0 } } ] }
  - id: ds1
    bus: rs485a
    unitId: 300
    pollMS: 1000
    points: [ { id: ds1.conc, kind: dust_concentration, register: { table: holding, address: 70000, type: float32 } } ]
`);
    expect(problems).toEqual([
      'buses[0].baudRate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200 (got 9601) [line 3]',
      'buses[0].parity: must be one of none, even, odd (got "evn") [line 3]',
      'devices[1].unitId: must be 1..247 (got 300) [line 8]',
      'devices[1].pollMS: unknown key (did you mean pollMs?) [line 9]',
      'devices[1].points[0].register.address: must be 0..65535 (got 70000) [line 10]',
    ]);
  });

  it('names references to things the file never declares', () => {
    const problems = lines(`version: 1
site: { enterprise: E, gateway: GW1 }
buses: [ { id: rs485a, port: /dev/ttyUSB0 } ]
devices:
  - { id: dc1, bus: rs485b, unitId: 1, points: [ { id: dc1.dp, kind: differential_pressure, register: { table: holding, address: 0 } } ] }
gpio:
  inputs: [ { id: fan1.run, kind: run_feedback, line: 5 } ]
  outputs: [ { id: sander1.permit, line: 5 } ]
interlocks:
  - { id: sander1-permit, output: sander.permit, permitWhen: [ { input: fan2.run, is: true }, { point: dc1.dpp, between: [300, 1800] } ] }
`);
    expect(problems).toEqual([
      'devices[0].bus: must name a bus in buses[] (rs485a) (got "rs485b") [line 5]',
      'gpio.outputs[0].line: line 5 is already used by fan1.run (got 5) [line 8]',
      'interlocks[0].output: must name a gpio output (got "sander.permit") [line 10]',
      'interlocks[0].permitWhen[0].input: must name a gpio input (got "fan2.run") [line 10]',
      'interlocks[0].permitWhen[1].point: must name a point of a device (got "dc1.dpp") [line 10]',
    ]);
  });

  it('says what is missing and refuses a file that is not YAML', () => {
    expect(lines('version: 1\nbuses: []\n')).toEqual(['site: must be an object (key: value lines) (missing) [line 1]']);
    expect(lines('version: 1\nsite: [unclosed\n')[0]).toMatch(/^\(file\): not valid YAML: .* \[line \d+\]$/);
  });

  it('never clamps a bad limit quietly', () => {
    const problems = lines(`version: 1
site: { enterprise: E, gateway: GW1 }
buses: [ { id: a, port: /dev/ttyUSB0 } ]
devices:
  - id: dc1
    bus: a
    unitId: 1
    points:
      - { id: dc1.dp, kind: differential_pressure, register: { table: holding, address: 0 }, limits: { low: 300, high: 200 } }
`);
    expect(problems).toEqual(['devices[0].points[0].limits.high: must be above low (300) (got 200) [line 9]']);
  });
});

describe('the JSON Schema for editor completion', () => {
  it('is generated from the same schema as the validator, and accepts the example', async () => {
    const { z } = await import('zod');
    const { SiteConfigSchema } = await import('../../agent/config/schema.js');
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { parse } = await import('yaml');
    const committed = JSON.parse(readFileSync(`${here}../../schema/site.schema.json`, 'utf8')) as object;
    const fresh = JSON.parse(JSON.stringify(z.toJSONSchema(SiteConfigSchema, { io: 'input', unrepresentable: 'any' }))) as object;
    expect(committed, 'schema/site.schema.json is stale: run npm run schema').toEqual(fresh);
    const validate = new Ajv2020({ strict: false }).compile(committed);
    expect(validate(parse(readFileSync(`${here}../../config/site.example.yaml`, 'utf8')))).toBe(true);
    expect(validate({ version: 1, site: { enterprise: 'E', gateway: 'G' }, buses: [{ id: 'a', port: 'p', parity: 'evn' }] })).toBe(false);
  });
});
