/** The smallest site file the compiled agent runs with --simulate: one collector's differential pressure on one bus. */
export function minimalSite(gateway: string, bufferPath: string, extra = ''): string {
  return `version: 1
site: { enterprise: "91130100MA0EXAMPLE", gateway: ${gateway} }
buses: [ { id: rs485a, port: /dev/ttyUSB0 } ]
devices:
  - id: dc1
    bus: rs485a
    unitId: 1
    points: [ { id: dc1.dp, kind: differential_pressure, unit: Pa, register: { table: holding, address: 0 } } ]
buffer: { path: ${bufferPath}, maxBytes: 16MiB }
${extra}`;
}
