/** Every benchmark `npm run bench` runs, in order. */
import type { Bench } from './run.js';
import { startupBench } from './startup.js';
import { interlockLatencyBench } from './interlock-latency.js';
import { modbusBusBench } from './modbus-bus.js';
import { modbusOneDeadBench } from './modbus-one-dead.js';
import { modbusCycleBench } from './modbus-cycle.js';
import { modbusPtyBench } from './modbus-pty.js';
import { modbusGarbageBench } from './modbus-garbage.js';
import { acquisitionCpuBench } from './acquisition-cpu.js';
import { bufferBench } from './buffer.js';
import { hazardsOverheadBench } from './hazards-overhead.js';
import { uplinkBench } from './uplink.js';
import { digestBench } from './digest.js';

export const benches: Bench[] = [startupBench, interlockLatencyBench, modbusBusBench, modbusOneDeadBench, modbusCycleBench, modbusPtyBench, modbusGarbageBench, acquisitionCpuBench, hazardsOverheadBench, bufferBench, uplinkBench, digestBench];
