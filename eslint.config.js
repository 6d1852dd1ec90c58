// typescript-eslint's recommended rules (issue #15). The `globals` package is not installed, so
// the environment globals the JavaScript files use are named here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const timers = { setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', console: 'readonly' };
const browser = {
  ...timers,
  window: 'readonly', document: 'readonly', Node: 'readonly', fetch: 'readonly', crypto: 'readonly', localStorage: 'readonly',
  EventSource: 'readonly', ResizeObserver: 'readonly', AudioContext: 'readonly', CSS: 'readonly',
  Blob: 'readonly', createImageBitmap: 'readonly',
};
const node = { ...timers, process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'demo-data/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  // `_` marks a parameter an interface demands; a rest pattern's siblings are what it leaves out
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }] } },
  // the operator page's scripts run in the browser
  { files: ['agent/hmi/public/**/*.js'], languageOptions: { globals: browser } },
  // Node-RED nodes and settings are CommonJS; scripts/ runs on Node
  // (Node-RED loads nodes with require(), so they cannot be ES modules)
  {
    files: ['flows/**/*.js', 'flows/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['scripts/**/*.mjs', 'scripts/**/*.js'], languageOptions: { globals: node } },
  // The safety core's arrows point one way (docs/ARCHITECTURE.md): the drivers, acquisition, the
  // plant, the rules, the outputs and the buffer import nothing from the page, the CLI, the
  // uplink or the composition on top of them. `import type` counts too.
  {
    files: ['drivers/**/*.ts', 'agent/{acquisition,plant,interlocks,alarms,outputs,buffer}/**/*.ts', 'agent/safety-core.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{
          regex: String.raw`(^|/)(hmi|cli|uplink|feed|doctor|provision|demo|records|digests|tickets)/|(^|/)(app|cli|page-model)\.js$`,
          message: 'the safety core imports nothing from the page, the CLI, the uplink, the records, the digests or app.ts: move the shared type down (docs/ARCHITECTURE.md)',
        }],
      }],
    },
  },
);
