/**
 * acquisition.cpuPercent.bareModbusSerial, the child: the acquisition bench's polling (10 devices
 * × 10 holding registers every 1 s, one after another on one port) done by modbus-serial on its
 * own, the values thrown away: no scaling, alarms, interlocks, buffer, uplink or page. What the
 * brief's Modbus library costs for the job on this machine, beside what the agent costs.
 * Argument: the serial port's path.
 */
import modbusSerial from 'modbus-serial';

const client = new modbusSerial.default();
await client.connectRTUBuffered(process.argv[2]!, { baudRate: 9600 });
client.setTimeout(200);
let busy = false;
setInterval(() => {
  if (busy) return;
  busy = true;
  void (async () => {
    for (let unit = 1; unit <= 10; unit++) {
      client.setID(unit);
      await client.readHoldingRegisters(0, 10).catch(() => undefined);
    }
    busy = false;
  })();
}, 1000);
