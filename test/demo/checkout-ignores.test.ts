/**
 * `firebreak demo` run from a checkout writes its buffer and users into ./demo-data (cli/demo.ts):
 * git must not offer those files for a commit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const inCheckout = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root }).status === 0;

describe.skipIf(!inCheckout)('the checkout', () => {
  it('ignores what the demo writes into demo-data/', () => {
    const written = ['demo-data/buffer.db', 'demo-data/buffer.db-wal', 'demo-data/users.json'];
    // check-ignore prints each path it ignores; --no-index judges paths whether or not they exist
    const ignored = execFileSync('git', ['check-ignore', '--no-index', ...written], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(ignored).toEqual(written);
  });
});
