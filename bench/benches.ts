/** Every benchmark `npm run bench` runs, in order. */
import type { Bench } from './run.js';
import { startupBench } from './startup.js';
import { interlockLatencyBench } from './interlock-latency.js';

export const benches: Bench[] = [startupBench, interlockLatencyBench];
