import { renderManifestFiles } from '@platform/k8s-platform';
import { loadPlatformModel } from '@platform/model';
import { buildClusterApp } from '../../apps/cluster/src/cluster-app';

const files = renderManifestFiles(buildClusterApp(loadPlatformModel()));

/**
 * The folders this half of the cluster app renders, plus the app-of-apps files at the root. The admission
 * policies and alert rules have their own snapshots, so a change there does not churn this one.
 */
const FOLDERS = /^[^/]+\/((namespaces|teams|platform|services)\/.*|[^/]+)$/;

/** The rendered dist/ of one environment as one text, file by file, so a review sees every change. */
function environmentText(environment: string): string {
  return [...files]
    .filter(([path]) => path.startsWith(`${environment}/`) && FOLDERS.test(path))
    .map(([path, text]) => `# ${path}\n${text}`)
    .join('---\n');
}

describe('dist/ snapshots', () => {
  it.each(['dev', 'staging', 'prod'])('%s', (environment) => {
    expect(environmentText(environment)).toMatchSnapshot();
  });

  it('renders byte for byte the same on every run', () => {
    const again = renderManifestFiles(buildClusterApp(loadPlatformModel()));
    expect([...again]).toEqual([...files]);
  });
});
