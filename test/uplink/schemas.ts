/** Both uplink schemas, compiled once: the shared floor and the project's superset. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

// ../shared beside the checkout, as in development and CI; the project's own copy elsewhere
const floorPath = fileURLToPath(new URL('../../../shared/spec/uplink-v1.schema.json', import.meta.url));
const projectPath = fileURLToPath(new URL('../../schema/uplink-v1.schema.json', import.meta.url));
const projectFloorCopy = fileURLToPath(new URL('../../schema/uplink-v1.floor.schema.json', import.meta.url));

function compile(path: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
}

let cache: { floor: ReturnType<typeof compile>; project: ReturnType<typeof compile> } | undefined;

/** Problems of one received payload against each schema; empty when it passes both. */
export function schemaProblems(payload: unknown): string[] {
  cache ??= {
    // the shared spec when this machine has it, else the project's copy of that floor
    floor: compile(safeExists(floorPath) ? floorPath : projectFloorCopy),
    project: compile(projectPath),
  };
  const out: string[] = [];
  for (const [name, v] of Object.entries(cache)) {
    if (!v(payload)) out.push(`${name}: ${JSON.stringify(v.errors?.slice(0, 3))} in ${JSON.stringify(payload).slice(0, 300)}`);
  }
  return out;
}

function safeExists(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
}
