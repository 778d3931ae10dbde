import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, type PlatformModel, PlatformModelSchema, validateModel, withGitopsPaths } from '@platform/model';
import { buildCloudApp, buildCloudAppFromInput } from '../../apps/cloud/src/cloud-app';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';
import { testCdkApp } from '../support/cdk-app';
import { type CommandResult, spawnScriptAsync } from '../support/command-run';
import { tempDir } from '../support/temp-dirs';
import { addEdgeService, draftModel, moveToAccount, PROJECT_CONTEXT, unusedAccount } from './support/drafts';

/**
 * `pnpm validate` runs the checks `pnpm synth` runs: for broken models and valid ones alike, the validator's verdict
 * is synthesis's. Models broken in a way the constructs themselves refuse prove the validator covers them.
 */

const ROOT = join(__dirname, '..', '..');

interface Variant {
  readonly name: string;
  readonly change: (model: PlatformModel) => void;
  /** The app whose constructs refuse the model on their own (built from the merely well-typed model), and how. */
  readonly refusedBy?: { readonly app: 'cloud' | 'cluster'; readonly error: RegExp };
}

const firstTeam = (model: PlatformModel) => {
  const team = model.teams.find((candidate) => candidate.name === model.services[0].team);
  if (!team) throw new Error('the first service has no team');
  return team;
};

const BROKEN: Variant[] = [
  {
    name: 'team quota',
    change: (m) => {
      firstTeam(m).quota.pods = 1;
    },
    refusedBy: { app: 'cluster', error: /teams\.[a-z-]+\.quota\.pods: 1 is too small/ },
  },
  {
    name: 'flow-log retention',
    change: (m) => {
      m.environments[0].network.flowLogRetentionDays = 45;
    },
    refusedBy: { app: 'cloud', error: /network\.flowLogRetentionDays is 45; CloudWatch Logs allows/ },
  },
  {
    name: 'ARM and x86 in one node group',
    change: (m) => {
      m.environments[0].cluster.nodeGroups.system.instanceTypes = ['m7g.large', 'm7i.large'];
    },
    refusedBy: { app: 'cloud', error: /nodeGroups\.system\.instanceTypes mixes ARM and x86/ },
  },
  {
    name: 'an instance type aws-cdk-lib cannot read',
    change: (m) => {
      m.environments[0].cluster.nodeGroups.system.instanceTypes = ['metal.large'];
    },
    refusedBy: { app: 'cloud', error: /Malformed instance type identifier/ },
  },
  {
    name: 'a cache ID over 40 characters',
    change: (m) => {
      m.services[0].dependencies.cache = true;
      // 41 characters in the first environment; every other derived name still fits.
      m.organization.name = 'o'.repeat(41 - m.environments[0].name.length - m.services[0].name.length - 2);
    },
    refusedBy: { app: 'cloud', error: /ElastiCache allows 40/ },
  },
  {
    name: 'no availability-zone context for the account',
    change: (m) => moveToAccount(m, 0, unusedAccount(m)),
    refusedBy: { app: 'cloud', error: /availabilityZones: cdk\.json has no availability-zone context/ },
  },
  {
    name: 'an SLO of 100 %',
    change: (m) => {
      m.services[0].slo = { ...m.services[0].slo, availability: 100 };
    },
    refusedBy: { app: 'cluster', error: /slo\.availability must be strictly between 0 and 100/ },
  },
  {
    name: 'an SLO as a fraction',
    change: (m) => {
      m.services[0].slo = { ...m.services[0].slo, availability: 0.999 };
    },
  },
  {
    name: 'an SLO window beyond the Prometheus retention',
    change: (m) => {
      m.services[0].slo = { ...m.services[0].slo, windowDays: 90 };
    },
  },
  {
    name: 'a certificate of another region',
    change: (m) => {
      const environment = m.environments[0];
      environment.edge.certificateArn = environment.edge.certificateArn.replace(
        `:${environment.region}:`,
        ':eu-west-1:',
      );
    },
  },
  {
    name: 'two edge services on one host and path',
    change: (m) => {
      m.services[0].exposure = 'edge';
      m.services[0].edge = { path: '/' };
      addEdgeService(m, 'edge-twin', { path: '/' });
    },
  },
];

const VALID: Variant[] = [
  { name: 'the shipped model', change: () => {} },
  {
    name: 'a second edge service on a path of the shared host',
    change: (m) => {
      m.services[0].exposure = 'edge';
      m.services[0].edge = { path: '/' };
      addEdgeService(m, 'edge-twin', { path: '/twin' });
    },
  },
];

function modelWith(variant: Variant): PlatformModel {
  const model = draftModel();
  variant.change(model);
  return model;
}

function refuses(build: () => unknown): boolean {
  try {
    build();
    return false;
  } catch {
    return true;
  }
}

/** What `pnpm validate --model` decides: tools/validate.ts runs loadModel with cdk.json's context. */
const validateRefuses = (model: PlatformModel) => validateModel(model, PROJECT_CONTEXT).issues.length > 0;

/**
 * What `pnpm synth` decides: tools/synth.ts loads the model with cdk.json's context before it renders dist/, and
 * `cdk synth` runs the CDK app's entry with the app's context (asset staging off, as in every test).
 */
const synthRefuses = (model: PlatformModel) =>
  refuses(() => loadModel(model, PROJECT_CONTEXT)) || refuses(() => buildCloudAppFromInput(testCdkApp(), model));

/**
 * What the constructs of one app decide on their own: the app built from the well-typed model with no validator
 * before it (its first environment only, which every broken model here breaks, to keep the test fast).
 */
function constructsError(model: PlatformModel, app: 'cloud' | 'cluster'): string {
  const typed = withGitopsPaths(PlatformModelSchema.parse(model));
  const oneEnvironment = { ...typed, environments: [typed.environments[0]] };
  try {
    if (app === 'cloud') buildCloudApp(testCdkApp(), oneEnvironment);
    else renderDist(oneEnvironment);
  } catch (error) {
    return (error as Error).message;
  }
  return '(accepted)';
}

describe('pnpm validate and pnpm synth', () => {
  it.each(BROKEN)('both refuse a model with $name', (variant) => {
    const model = modelWith(variant);
    expect(validateRefuses(model)).toBe(true);
    expect(synthRefuses(model)).toBe(true);
  });

  it.each(VALID)('both accept $name', (variant) => {
    const model = modelWith(variant);
    expect(validateModel(model, PROJECT_CONTEXT).issues).toEqual([]);
    expect(synthRefuses(model)).toBe(false);
  });

  it.each(BROKEN.filter((variant) => variant.refusedBy))(
    'refuse a model with $name, which the constructs of the $refusedBy.app app refuse on their own too',
    ({ refusedBy, ...variant }) => {
      if (!refusedBy) throw new Error('filtered above');
      expect(constructsError(modelWith({ ...variant, refusedBy }), refusedBy.app)).toMatch(refusedBy.error);
    },
  );
});

describe('tools/validate.ts --model', () => {
  function runValidate(model: PlatformModel): Promise<CommandResult> {
    const file = join(tempDir('platform-validate-'), 'model.json');
    writeFileSync(file, JSON.stringify(model));
    return spawnScriptAsync(ROOT, 'tools/validate.ts', ['--model', file]);
  }

  it('refuses, in one run, what only synth refused before: a quota, a flow-log retention and a missing AZ context', async () => {
    const broken = draftModel();
    const team = firstTeam(broken);
    team.quota.pods = 1;
    const environment = broken.environments[0];
    environment.network.flowLogRetentionDays = 45;
    const last = broken.environments[broken.environments.length - 1];
    moveToAccount(broken, broken.environments.length - 1, unusedAccount(broken));

    const [refused, accepted] = await Promise.all([runValidate(broken), runValidate(draftModel())]);

    expect(refused.status).toBe(1);
    const lines = refused.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines.map((line) => line.slice(4, line.indexOf(': ')))).toEqual([
      `teams.${team.name}.quota.pods`,
      `environments.${environment.name}.network.flowLogRetentionDays`,
      `environments.${last.name}.availabilityZones`,
    ]);
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toMatch(/^The model is valid/);
  });
});
