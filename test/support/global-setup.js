// Runs once per Jest run, before any worker starts.
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const tempHygiene = require('./temp-hygiene');

const CEL_PACKAGE = '@marcbachmann/cel-js';
/**
 * @marcbachmann/cel-js ships as an ES module only ("type": "module"), which Jest's CommonJS runtime refuses to
 * require. Jest maps the package to this CommonJS bundle of it (jest.config.js, moduleNameMapper), so the tests
 * evaluate CEL in their own worker, in the realm of the objects they pass in. It lives in node_modules (git-ignored,
 * and gone with a fresh install).
 */
const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');
const CEL_BUNDLE = join(NODE_MODULES, '.cache', 'platform-tests', 'cel-js.cjs');

/** Builds the bundle unless the one on disk is of the installed cel-js and esbuild versions. */
function ensureCelBundle() {
  // Read from the file: cel-js exports no ./package.json.
  const version = (name) => JSON.parse(readFileSync(join(NODE_MODULES, name, 'package.json'), 'utf8')).version;
  const stamp = `// ${CEL_PACKAGE} ${version(CEL_PACKAGE)}, bundled by esbuild ${version('esbuild')}`;
  let current = '';
  try {
    current = readFileSync(CEL_BUNDLE, 'utf8').slice(0, stamp.length + 1);
  } catch {
    // Not built yet.
  }
  if (current === `${stamp}\n`) return;
  // Loaded here only: jest.config.js reads CEL_BUNDLE from this file.
  const { buildSync } = require('esbuild');
  const [output] = buildSync({
    entryPoints: [require.resolve(CEL_PACKAGE)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: stamp },
    write: false,
    logLevel: 'error',
  }).outputFiles;
  mkdirSync(dirname(CEL_BUNDLE), { recursive: true });
  // Written aside and renamed, so a run starting alongside never reads half a file.
  const partial = `${CEL_BUNDLE}.${process.pid}`;
  writeFileSync(partial, output.text);
  renameSync(partial, CEL_BUNDLE);
}

module.exports = () => {
  ensureCelBundle();
  tempHygiene.before();
};
module.exports.CEL_BUNDLE = CEL_BUNDLE;
