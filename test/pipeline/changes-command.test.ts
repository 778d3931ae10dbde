import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  environmentStackId,
  GITOPS_ROOT_APPLICATION,
  loadPlatformModel,
  SHARED_SERVICES_STACK,
  serviceStackId,
  templatePath,
} from '@platform/model';
import { changes } from '../../tools/changes';
import { changesMarkdown, distChanges } from '../../tools/dist-changes';
import { runCommand } from '../support/command-run';
import { tempDir } from '../support/temp-dirs';

/**
 * `pnpm changes`: what a change of dist/ does, per environment, per Argo CD Application (objects added, changed,
 * pruned) and per stack (resources added, modified, replaced or maybe replaced, removed). Inputs are small dist/
 * folders written here, so each expectation is stated by hand.
 */

const model = loadPlatformModel();
const [first, second] = model.environments;

const application = (name: string, path: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  source:\n    path: ${path}\n`;
const configMap = (name: string, namespace: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n${Object.entries(data)
    .map(([key, value]) => `  ${key}: "${value}"`)
    .join('\n')}\n`;
const template = (resources: Record<string, unknown>) => JSON.stringify({ Resources: resources }, null, 1);

const BEFORE = new Map<string, string>([
  [`${first.name}/application-orders.yaml`, application('orders', `dist/${first.name}/services/orders`)],
  [`${first.name}/application-old.yaml`, application('old', `dist/${first.name}/services/old`)],
  [`${first.name}/services/orders/configmap-a.yaml`, configMap('a', 'shop', { x: '1' })],
  [`${first.name}/services/orders/configmap-b.yaml`, configMap('b', 'shop', { x: '1', y: '2' })],
  [`${first.name}/services/old/configmap-old.yaml`, configMap('old', 'shop', { x: '1' })],
  [
    templatePath(environmentStackId(first.name, 'messaging')),
    template({ Db: { Type: 'AWS::RDS::DBInstance', Properties: { A: 1 } }, Gone: { Type: 'AWS::SQS::Queue' } }),
  ],
  [
    templatePath(SHARED_SERVICES_STACK),
    template({ Repo: { Type: 'AWS::ECR::Repository', Properties: { A: 1, B: 2 } } }),
  ],
  [templatePath(environmentStackId(second.name, 'network')), template({ Vpc: { Type: 'AWS::EC2::VPC' } })],
]);

const AFTER = new Map<string, string>([
  [`${first.name}/application-orders.yaml`, application('orders', `dist/${first.name}/services/orders`)],
  [`${first.name}/services/orders/configmap-a.yaml`, configMap('a', 'shop', { x: '2' })],
  // Only the key order differs: no change.
  [`${first.name}/services/orders/configmap-b.yaml`, configMap('b', 'shop', { y: '2', x: '1' })],
  [`${first.name}/services/orders/configmap-c.yaml`, configMap('c', 'shop', { x: '1' })],
  [`${first.name}/namespace-shop.yaml`, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n'],
  [
    templatePath(environmentStackId(first.name, 'messaging')),
    template({ Db: { Type: 'AWS::RDS::DBInstance', Properties: { A: 2 } }, New: { Type: 'AWS::SQS::Queue' } }),
  ],
  [
    templatePath(SHARED_SERVICES_STACK),
    template({ Repo: { Type: 'AWS::ECR::Repository', Properties: { B: 2, A: 1 } } }),
  ],
  [templatePath(environmentStackId(second.name, 'network')), template({ Vpc: { Type: 'AWS::EC2::VPC' } })],
]);

describe('distChanges', () => {
  const result = distChanges(model, BEFORE, AFTER);

  it('lists only environments with changes, in model order', () => {
    expect(result.map((entry) => entry.environment)).toEqual([first.name]);
  });

  it('groups objects by the Application that syncs their folder; the top level by the root Application', () => {
    expect(Object.fromEntries(result[0].applications)).toEqual({
      old: [{ change: 'removed', object: 'ConfigMap shop/old' }],
      orders: [
        { change: 'added', object: 'ConfigMap shop/c' },
        { change: 'changed', object: 'ConfigMap shop/a' },
      ],
      [GITOPS_ROOT_APPLICATION]: [
        { change: 'added', object: 'Namespace shop' },
        { change: 'removed', object: 'Application argocd/old' },
      ],
    });
  });

  it("lists each stack's resources added, modified and removed; a key order is no change", () => {
    expect(Object.fromEntries(result[0].stacks)).toEqual({
      [environmentStackId(first.name, 'messaging')]: [
        { change: 'added', logicalId: 'New', type: 'AWS::SQS::Queue' },
        { change: 'changed', logicalId: 'Db', type: 'AWS::RDS::DBInstance' },
        { change: 'removed', logicalId: 'Gone', type: 'AWS::SQS::Queue' },
      ],
    });
  });

  it('marks a modification that replaces a resource, or may, by the resource specification, with its reasons', () => {
    const stack = templatePath(environmentStackId(first.name, 'messaging'));
    const before = template({
      Encrypted: { Type: 'AWS::RDS::DBInstance', Properties: { StorageEncrypted: false, AllocatedStorage: '20' } },
      Standby: { Type: 'AWS::RDS::DBInstance', Properties: { MultiAZ: false } },
      Tagged: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'team', Value: 'a' }] } },
      Renamed: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders' } },
    });
    const after = template({
      // StorageEncrypted: "Update requires: Replacement"; AllocatedStorage alone would update in place.
      Encrypted: { Type: 'AWS::RDS::DBInstance', Properties: { StorageEncrypted: true, AllocatedStorage: '30' } },
      // MultiAZ: replacement only for some values.
      Standby: { Type: 'AWS::RDS::DBInstance', Properties: { MultiAZ: true } },
      Tagged: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'team', Value: 'b' }] } },
      Renamed: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders-v2' } },
    });
    const [environment] = distChanges(model, new Map([[stack, before]]), new Map([[stack, after]]));
    expect(environment.stacks.get(environmentStackId(first.name, 'messaging'))).toEqual([
      { change: 'changed', logicalId: 'Tagged', type: 'AWS::SQS::Queue' },
      { change: 'replaced', logicalId: 'Encrypted', type: 'AWS::RDS::DBInstance', reasons: ['StorageEncrypted'] },
      { change: 'replaced', logicalId: 'Renamed', type: 'AWS::SQS::Queue', reasons: ['QueueName'] },
      { change: 'may-be-replaced', logicalId: 'Standby', type: 'AWS::RDS::DBInstance', reasons: ['MultiAZ'] },
    ]);
    const text = changesMarkdown([environment], 'main');
    expect(text).toContain('| CloudFormation stack | added | modified | replaced | may be replaced | removed |');
    expect(text).toContain(`| \`${environmentStackId(first.name, 'messaging')}\` | 0 | 1 | 2 | 1 | 0 |`);
    expect(text).toContain(
      `- \`${environmentStackId(first.name, 'messaging')}\`: replaced Encrypted (AWS::RDS::DBInstance): StorageEncrypted`,
    );
    expect(text).toContain(
      `- \`${environmentStackId(first.name, 'messaging')}\`: may be replaced Standby (AWS::RDS::DBInstance): MultiAZ`,
    );
  });

  it('puts the shared-services stack under shared', () => {
    const shared = distChanges(
      model,
      BEFORE,
      new Map([
        ...AFTER,
        [templatePath(SHARED_SERVICES_STACK), template({ Repo: { Type: 'AWS::ECR::Repository', Properties: {} } })],
      ]),
    ).at(-1);
    expect(shared?.environment).toBe('shared');
    expect(Object.fromEntries(shared?.stacks ?? [])).toEqual({
      [SHARED_SERVICES_STACK]: [{ change: 'changed', logicalId: 'Repo', type: 'AWS::ECR::Repository' }],
    });
  });

  it('puts the stack of a service that left the model under its environment, not under shared', () => {
    const gone = serviceStackId(first.name, 'no-such-service');
    const [environment] = distChanges(
      model,
      new Map([[templatePath(gone), template({ Db: { Type: 'AWS::RDS::DBInstance' } })]]),
      new Map(),
    );
    expect(environment.environment).toBe(first.name);
    expect([...environment.stacks.keys()]).toEqual([gone]);
  });

  it('renders counts and every entry in Argo CD and CloudFormation words', () => {
    const text = changesMarkdown(result, 'main');
    expect(text).toContain(`### ${first.name}`);
    expect(text).toContain('| `orders` | 1 | 1 | 0 |');
    expect(text).toContain(`- \`old\`: pruned ConfigMap shop/old`);
    expect(text).toContain(`- \`${environmentStackId(first.name, 'messaging')}\`: modified Db (AWS::RDS::DBInstance)`);
    expect(changesMarkdown([], 'main')).toContain('dist/ is unchanged');
  });
});

describe('pnpm changes', () => {
  const git = (root: string, args: string[]) => {
    const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  };
  const write = (root: string, files: ReadonlyMap<string, string>) => {
    for (const [path, text] of files) {
      mkdirSync(dirname(join(root, 'dist', path)), { recursive: true });
      writeFileSync(join(root, 'dist', path), text);
    }
  };

  it('compares the working tree with a revision of its repository', async () => {
    const root = tempDir('platform-changes-');
    git(root, ['init', '--quiet']);
    write(root, BEFORE);
    git(root, ['add', '--all']);
    git(root, ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', 'base']);
    git(root, ['rm', '--quiet', '-r', 'dist']);
    write(root, AFTER);

    const result = await runCommand(() => changes(['--base', 'HEAD'], root));

    expect(result.status).toBe(0);
    const [heading, ...rest] = result.stdout.split('\n');
    expect(heading).toMatch(/^## What this change does \(against HEAD \([0-9a-f]{12}\)\)$/);
    const expected = changesMarkdown(distChanges(model, BEFORE, AFTER), 'HEAD')
      .split('\n')
      .slice(1);
    expect(rest).toEqual(expected);
  });

  it('refuses a revision the repository does not have', async () => {
    const root = tempDir('platform-changes-');
    git(root, ['init', '--quiet']);
    const result = await runCommand(() => changes(['--base', 'no-such-revision'], root));
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('--base no-such-revision: not a revision of this repository');
  });
});
