import { App } from 'cdk8s';
import { tempDir } from './temp-dirs';

/** A cdk8s app for tests whose output folder is a temp dir removed after the test file (unlike `Testing.app()`'s). */
export function testCdk8sApp(): App {
  return new App({ outdir: tempDir('platform-cdk8s-') });
}
