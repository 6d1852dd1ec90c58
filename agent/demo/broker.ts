/**
 * The demo's embedded MQTT broker (aedes), so the demo needs no apt package. Production
 * gateways talk to the district platform's broker; tests use mosquitto where it is installed.
 */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface DemoBroker {
  port: number;
  close(): Promise<void>;
}

export async function startDemoBroker(host: string, port: number): Promise<DemoBroker> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  let bound: number;
  try {
    bound = await listen(port);
  } catch (err) {
    // 1883 taken (a mosquitto already running here): any free port does for the demo
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    bound = await listen(0);
  }
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
