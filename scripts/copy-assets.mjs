// Copies what tsc does not: the operator page's static files, next to the compiled server.
import { cpSync, existsSync } from 'node:fs';

const from = 'agent/hmi/public';
if (existsSync(from)) cpSync(from, 'dist/agent/hmi/public', { recursive: true });
