import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRING_BACK_DOCS, STATEFUL_RESOURCES, UPGRADE_DOCS } from '../../apps/cloud/src/stateful-resources';

/**
 * docs/aws.md says, per stateful resource and per environment kind, what a stack deletion, a removal from the model
 * and a rotation do; the sections `pnpm synth` points to exist; and every `cdk` command the docs give exists with
 * the options they give it, in the CDK CLI this repository pins.
 */
const DOCS = join(__dirname, '..', '..', 'docs');
const aws = readFileSync(join(DOCS, 'aws.md'), 'utf8');

function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/aws.md has no section "${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The rows of the first table in the section, as cells. */
const rows = section(aws, 'Deletion and removal')
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
  .slice(1)
  .map((line) =>
    line
      .slice(2, -2)
      .split(' | ')
      .map((cell) => cell.trim()),
  );

/** What the table must cover: every stateful resource of the platform, by its row. */
const REQUIRED_ROWS = [
  /^RDS instance$/,
  /^RDS master secret$/,
  /^RDS automated backups$/,
  /^Valkey replication group$/,
  /^Valkey auth token secret$/,
  /^SQS queues and dead-letter queues$/,
  /^KMS keys/,
  /^Log groups/,
  /^EKS cluster$/,
  /^ECR repositories and images/,
  /^SSM connection parameters$/,
];

/** The row that covers each type the synth lines treat as stateful; a new type fails here until it has a row. */
const ROW_OF_TYPE: Record<string, RegExp> = {
  'AWS::RDS::DBInstance': /^RDS instance$/,
  'AWS::ElastiCache::ReplicationGroup': /^Valkey replication group$/,
  'AWS::SQS::Queue': /^SQS queues/,
  'AWS::SecretsManager::Secret': /secret$/,
  'AWS::KMS::Key': /^KMS keys/,
  'AWS::Logs::LogGroup': /^Log groups/,
  'AWS::ECR::Repository': /^ECR repositories/,
  'AWS::EKS::Cluster': /^EKS cluster$/,
  'AWS::S3::Bucket': /^Backup bucket/,
};

describe('docs/aws.md, Deletion and removal', () => {
  it('has a deletion or removal column per environment kind and a rotation column', () => {
    expect(rows.length).toBeGreaterThan(0);
    const header = section(aws, 'Deletion and removal')
      .split('\n')
      .find((line) => line.startsWith('| Resource'));
    expect(header).toMatch(/\| Resource \| .*`snapshot`.* \| .*`retain`.* \| Rotation \|/);
  });

  it.each(REQUIRED_ROWS.map((row) => [row.source, row] as const))(
    'says for %s what each environment kind and a rotation do',
    (_name, row) => {
      const found = rows.filter(([resource]) => row.test(resource));
      expect(found).toHaveLength(1);
      expect(found[0]).toHaveLength(4);
      for (const cell of found[0]) expect(cell).not.toBe('');
    },
  );

  it('covers every type the synth lines treat as stateful', () => {
    expect(Object.keys(ROW_OF_TYPE).sort()).toEqual(Object.keys(STATEFUL_RESOURCES).sort());
    for (const row of Object.values(ROW_OF_TYPE)) {
      expect(rows.some(([resource]) => row.test(resource))).toBe(true);
    }
  });

  it.each([BRING_BACK_DOCS, UPGRADE_DOCS])('has the section the synth lines name: %s', (reference) => {
    const [, file, heading] = /^docs\/([^,]+), "(.+)"$/.exec(reference) ?? [];
    expect(file).toBe('aws.md');
    expect(aws).toMatch(new RegExp(`\\n##+ ${heading}\\n`));
  });
});

describe('the cdk commands the docs give', () => {
  const markdown = [
    ...readdirSync(DOCS)
      .filter((file) => file.endsWith('.md'))
      .map((file) => join(DOCS, file)),
    ...readdirSync(join(DOCS, 'runbooks')).map((file) => join(DOCS, 'runbooks', file)),
  ].map((file) => readFileSync(file, 'utf8'));
  const commands = markdown.flatMap((text) => [...text.matchAll(/`cdk ([a-z]+)([^`]*)`/g)]);
  const options = new Map<string, string[]>();
  for (const [, command, rest] of commands) {
    options.set(command, [
      ...(options.get(command) ?? []),
      ...[...rest.matchAll(/(--[a-z-]+)/g)].map(([flag]) => flag),
    ]);
  }
  const cdk = join(__dirname, '..', '..', 'node_modules', '.bin', 'cdk');

  it('include the import and the import of existing resources', () => {
    expect(options.get('import')).toEqual(expect.arrayContaining(['--resource-mapping', '--record-resource-mapping']));
    expect(options.get('deploy')).toContain('--import-existing-resources');
  });

  it.each([...options].map(([command, flags]) => [command, [...new Set(flags)]] as const))(
    'cdk %s exists with %j',
    (command, flags) => {
      const help = spawnSync(cdk, [command, '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`cdk ${command}`);
      for (const flag of flags) expect(help.stdout).toMatch(new RegExp(`\\s${flag}[\\s,]`));
    },
  );
});
