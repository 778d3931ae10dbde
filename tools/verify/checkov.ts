import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOUDFORMATION_FOLDER } from '@platform/model';
import { parseAllDocuments, stringify } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import type { Engine, EngineContext, EngineResult } from './engine';
import { runProcess } from './process-output';
import { pythonTool, withFreshHome } from './python-tool';

/** checkov from PyPI, pinned. */
export const CHECKOV = { project: 'checkov', version: '3.3.30', command: 'checkov' } as const;

type Framework = 'cloudformation' | 'kubernetes';

/** One failed check of checkov's JSON report. */
interface FailedCheck {
  readonly check_id: string;
  readonly check_name: string;
  readonly file_path: string;
  readonly resource: string;
}

/** The project's checkov settings, relative to the root. */
const CONFIG_FILE = '.checkov.yaml';

/** One framework's figures of checkov's JSON report (checkov/common/output/report.py `get_summary`). */
interface FrameworkReport {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Files checkov could not parse: their resources were not checked at all. */
  readonly parsing_errors: number;
  /** Resources checkov read; 0 means it found nothing to check. */
  readonly resource_count: number;
  readonly failedChecks: readonly FailedCheck[];
}

/**
 * Runs checkov on one framework from the root or from `cwd`, with the root's `.checkov.yaml` named explicitly and a
 * fresh HOME (so no user config applies). Reviewed findings are skipped in the outputs themselves, next to the
 * resource with their reason: `Metadata.checkov.skip` of a CloudFormation resource, `checkov.io/skip<n>`
 * annotations of a Kubernetes object.
 */
async function scan(
  context: EngineContext,
  framework: Framework,
  targets: readonly string[],
  cwd = context.root,
): Promise<FrameworkReport> {
  const checkov = await pythonTool(context, CHECKOV);
  const output = mkdtempSync(join(tmpdir(), 'verify-checkov-'));
  try {
    const config = join(context.root, CONFIG_FILE);
    const run = await withFreshHome((env) =>
      runProcess(
        checkov,
        [
          '--config-file',
          config,
          '--framework',
          framework,
          ...targets,
          '--output',
          'json',
          '--output-file-path',
          output,
        ],
        { cwd, env },
      ),
    );
    const report = join(output, 'results_json.json');
    // checkov exits 1 when a check fails; anything else, or no report, means it did not run through.
    if ((run.status !== 0 && run.status !== 1) || !existsSync(report)) {
      throw new Error(`checkov (${framework}) exited with ${run.status}:\n${run.stderr}${run.stdout}`);
    }
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as unknown;
    const reports = (Array.isArray(parsed) ? parsed : [parsed]) as {
      check_type?: string;
      summary?: Omit<FrameworkReport, 'failedChecks'>;
      results?: { failed_checks?: FailedCheck[] };
    }[];
    const own = reports.find((entry) => entry.check_type === framework);
    // No report of this framework: checkov found nothing of it to read.
    if (!own?.summary)
      return { passed: 0, failed: 0, skipped: 0, parsing_errors: 0, resource_count: 0, failedChecks: [] };
    return { ...own.summary, failedChecks: own.results?.failed_checks ?? [] };
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

function templates(root: string): string[] {
  return readdirSync(join(root, 'cdk.out'))
    .filter((name) => name.endsWith('.template.json'))
    .sort()
    .map((name) => join('cdk.out', name));
}

const describe = (check: FailedCheck) => `${check.check_id} ${check.file_path} ${check.resource}: ${check.check_name}`;

/** What checkov did not check: files it could not parse, no resource read, no check run. */
function coverageFailures(framework: Framework, place: string, report: FrameworkReport): string[] {
  return [
    ...(report.parsing_errors > 0
      ? [`${framework}: checkov could not parse ${report.parsing_errors} files of ${place}`]
      : []),
    ...(report.resource_count === 0 ? [`${framework}: checkov read no resource in ${place}`] : []),
    ...(report.passed === 0 ? [`${framework}: no check ran on ${place}`] : []),
  ];
}

async function run(context: EngineContext): Promise<EngineResult> {
  const files = templates(context.root);
  const cloudformation = await scan(
    context,
    'cloudformation',
    files.flatMap((file) => ['--file', file]),
  );
  // The environments' folders only: dist/cloudformation/ holds the templates, scanned above from cdk.out/.
  const kubernetes = await scan(
    context,
    'kubernetes',
    readdirSync(join(context.root, 'dist'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== CLOUDFORMATION_FOLDER)
      .flatMap((entry) => ['--directory', join('dist', entry.name)]),
  );
  const failures = [
    ...coverageFailures('cloudformation', 'cdk.out/', cloudformation),
    ...coverageFailures('kubernetes', 'dist/', kubernetes),
    ...[...cloudformation.failedChecks, ...kubernetes.failedChecks].map(describe),
  ];
  const figures = (name: string, report: FrameworkReport) =>
    `${name} ${report.resource_count} resources, ${report.passed} passed, ${report.failed} failed, ` +
    `${report.skipped} skipped, ${report.parsing_errors} parsing errors`;
  return {
    engine: `checkov ${CHECKOV.version}`,
    ok: failures.length === 0,
    summary: `${figures(`cloudformation (${files.length} templates)`, cloudformation)}; ${figures('kubernetes (dist/)', kubernetes)}`,
    failures,
  };
}

/** The first Deployment of dist/ with a privileged container: checkov's CKV_K8S_16 must fail it. */
async function selfCheck(context: EngineContext): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'verify-checkov-broken-'));
  try {
    return [await privilegedDeployment(context, work), await unencryptedDatabase(context, work)].join('\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Kubernetes framework: a real dist/ Deployment made privileged must fail CKV_K8S_16. */
async function privilegedDeployment(context: EngineContext, work: string): Promise<string> {
  const dist = join(context.root, 'dist');
  const source = listFiles(dist).find((path) => /(^|\/)deployment-[^/]+\.yaml$/.test(path));
  if (!source) throw new Error('dist/ holds no Deployment to break');
  const [document] = parseAllDocuments(readFileSync(join(dist, source), 'utf8'));
  const deployment = document.toJS() as {
    spec: { template: { spec: { containers: { securityContext?: Record<string, unknown> }[] } } };
  };
  const [container] = deployment.spec.template.spec.containers;
  container.securityContext = { ...container.securityContext, privileged: true, allowPrivilegeEscalation: true };
  writeFileSync(join(work, 'privileged-deployment.yaml'), stringify(deployment));
  const report = await scan(context, 'kubernetes', ['--file', 'privileged-deployment.yaml'], work);
  const privileged = report.failedChecks.filter((check) => check.check_id === 'CKV_K8S_16');
  if (privileged.length === 0) {
    throw new Error(`checkov passed a privileged container (dist/${source} with privileged: true)`);
  }
  return privileged.map(describe).join('\n');
}

/** The CloudFormation framework: a real cdk.out/ database with its storage unencrypted must fail CKV_AWS_16. */
async function unencryptedDatabase(context: EngineContext, work: string): Promise<string> {
  const cdkOut = join(context.root, 'cdk.out');
  for (const name of readdirSync(cdkOut)
    .filter((file) => file.endsWith('.template.json'))
    .sort()) {
    const template = JSON.parse(readFileSync(join(cdkOut, name), 'utf8')) as {
      Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const database = Object.values(template.Resources ?? {}).find((r) => r.Type === 'AWS::RDS::DBInstance');
    if (!database) continue;
    database.Properties = { ...database.Properties, StorageEncrypted: false };
    writeFileSync(join(work, 'unencrypted.template.json'), JSON.stringify(template));
    const report = await scan(context, 'cloudformation', ['--file', 'unencrypted.template.json'], work);
    const unencrypted = report.failedChecks.filter((check) => check.check_id === 'CKV_AWS_16');
    if (unencrypted.length === 0) {
      throw new Error(`checkov passed an unencrypted database (cdk.out/${name} with StorageEncrypted: false)`);
    }
    return unencrypted.map(describe).join('\n');
  }
  throw new Error('cdk.out/ holds no database to break');
}

/**
 * checkov on the CloudFormation templates of cdk.out/ and the Kubernetes objects of dist/: no failed check.
 * Figures are counted per framework.
 */
export const checkovEngine: Engine = { name: 'checkov', run, selfCheck };
