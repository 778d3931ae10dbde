/**
 * Builds promtool of the Prometheus the cluster runs into `.tools/` (or finds it there) and prints its path:
 * `tsx tools/verify/build-promtool.ts`. For setup, so the alert-rule tests run the same rule engine as
 * `npm run verify`.
 */
import { join } from 'node:path';
import { promtoolBinary } from './promtool';

const root = join(__dirname, '..', '..');
promtoolBinary({ root, toolsDirectory: join(root, '.tools'), log: (line) => process.stderr.write(`${line}\n`) }).then(
  (path) => process.stdout.write(`${path}\n`),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
