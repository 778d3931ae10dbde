/**
 * What must hold of the data the AWS half's templates hold, for any valid model: what a removal and a replacement do
 * to each stateful resource, and that `pnpm synth`'s lines about them (stateful-changes.ts) name each one.
 * Expectations come from the model (`removalPolicy`) and from CloudFormation's rules; each check returns problems.
 */
import type { PlatformModel } from '@platform/model';
import { statefulChangeLines } from '../../../apps/cloud/src/stateful-changes';
import { STATEFUL_TYPE_NAMES } from '../../support/stateful-types';
import type { Templates } from './aws-invariants';

const STATEFUL = STATEFUL_TYPE_NAMES;

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

export function dataProblems(model: PlatformModel, templates: Templates): string[] {
  const problems: string[] = [];
  const texts = new Map(
    [...templates.byStack].map(([stack, { resources }]) => [
      `cloudformation/${stack}.template.json`,
      JSON.stringify({ Resources: resources }),
    ]),
  );
  if (statefulChangeLines(texts, texts).length > 0) problems.push('templates compared with themselves print lines');

  for (const [stack, { resources }] of templates.byStack) {
    const environment = model.environments.find((candidate) => stack.startsWith(`${candidate.name}-`));
    const path = `cloudformation/${stack}.template.json`;
    const own = new Map([[path, texts.get(path) as string]]);
    const stateful = Object.entries(resources as Record<string, Resource>).filter(([, r]) => r.Type in STATEFUL);

    // A replacement goes by the UpdateReplacePolicy, a removal by the DeletionPolicy: the same for every resource.
    for (const [id, resource] of stateful) {
      if ((resource.DeletionPolicy ?? 'Delete') !== (resource.UpdateReplacePolicy ?? 'Delete')) {
        problems.push(
          `${stack} ${id}: DeletionPolicy ${resource.DeletionPolicy}, UpdateReplacePolicy ${resource.UpdateReplacePolicy}`,
        );
      }
    }

    // Databases and caches are snapshotted or kept as the environment says; queues deleted or kept; none unnamed.
    if (environment && /-(data|messaging)$/.test(stack)) {
      const retains = environment.removalPolicy === 'retain';
      for (const [id, resource] of stateful) {
        const expected =
          resource.Type === 'AWS::RDS::DBInstance' || resource.Type === 'AWS::ElastiCache::ReplicationGroup'
            ? retains
              ? 'Retain'
              : 'Snapshot'
            : resource.Type === 'AWS::SQS::Queue'
              ? retains
                ? 'Retain'
                : 'Delete'
              : undefined;
        if (expected !== undefined && resource.DeletionPolicy !== expected) {
          problems.push(`${stack} ${id}: DeletionPolicy ${resource.DeletionPolicy}, expected ${expected}`);
        }
        const name = STATEFUL[resource.Type];
        if (
          name !== undefined &&
          resource.Type !== 'AWS::Logs::LogGroup' &&
          typeof resource.Properties?.[name] !== 'string'
        ) {
          problems.push(`${stack} ${id}: no custom name in ${name}, so a property change would replace it silently`);
        }
      }
    }

    // The stack leaving the app names each stateful resource once; each one renamed is named as replaced.
    const gone = statefulChangeLines(own, new Map());
    if (gone.length !== stateful.length)
      problems.push(`${stack}: ${gone.length} lines for ${stateful.length} resources leaving`);
    for (const [id, resource] of stateful) {
      if (!gone.some((line) => line.includes(` ${id}`) || line.includes(`(${id})`)))
        problems.push(`${stack} ${id}: no removal line`);
      const name = STATEFUL[resource.Type];
      if (name === undefined || typeof resource.Properties?.[name] !== 'string') continue;
      const renamed = structuredClone(resources) as Record<string, Resource>;
      renamed[id].Properties = { ...renamed[id].Properties, [name]: `${resource.Properties?.[name]}-renamed` };
      const lines = statefulChangeLines(own, new Map([[path, JSON.stringify({ Resources: renamed })]]));
      if (!lines.some((line) => line.includes(`(${id}) is replaced by the next deploy`))) {
        problems.push(`${stack} ${id}: renaming it prints ${JSON.stringify(lines)}`);
      }
    }
  }
  return problems;
}
