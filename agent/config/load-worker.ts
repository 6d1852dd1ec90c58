/** Worker half of load-isolated.ts: parse and validate one site file, post the result, exit. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSiteFile } from './load.js';

parentPort!.postMessage(await loadSiteFile(workerData as string));
