import { EnvironmentNaming, loadModel, type PlatformModel, registryHost } from '@platform/model';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';
import { contextWithZonesOf, draftModel, moveToRegion } from './support/drafts';

/**
 * The model in each partition the schema lets in: what it builds from the region (ARNs, endpoint hosts) is what
 * aws-cdk-lib's RegionInfo gives that region, in the naming contract and in the rendered manifests. The expected
 * partition and suffix come from aws-cdk-lib, not from the model's own rule.
 */

/** The shipped model with its shared services and its first environment (only, to render fast) in `region`. */
function modelIn(region: string): PlatformModel {
  const draft = draftModel();
  draft.environments = draft.environments.slice(0, 1);
  draft.releases = Object.fromEntries(
    Object.entries(draft.releases ?? {}).filter(([environment]) => environment === draft.environments[0].name),
  );
  draft.organization.sharedServices.region = region;
  moveToRegion(draft, 0, region);
  return loadModel(draft, contextWithZonesOf(draft));
}

describe.each(['cn-north-1', 'us-gov-west-1', 'us-east-1'])('a model in %s', (region) => {
  const { partition, domainSuffix } = RegionInfo.get(region);
  const model = modelIn(region);
  const [environment] = model.environments;
  const naming = new EnvironmentNaming(model.organization, environment);

  it("builds ARNs in the region's partition and endpoint hosts with its suffix", () => {
    const queue = model.queues[0]?.name ?? 'some-queue';
    expect(naming.queueArn(queue)).toBe(
      `arn:${partition}:sqs:${region}:${environment.account}:${naming.queueName(queue)}`,
    );
    expect(naming.queueUrl(queue)).toBe(
      `https://sqs.${region}.${domainSuffix}/${environment.account}/${naming.queueName(queue)}`,
    );
    expect(naming.secretReaderRoleArn('team')).toBe(
      `arn:${partition}:iam::${environment.account}:role/${naming.secretReaderRoleName('team')}`,
    );
    expect(registryHost(model.organization)).toBe(
      `${model.organization.sharedServices.account}.dkr.ecr.${region}.${domainSuffix}`,
    );
  });

  it('renders manifests whose every ARN and regional endpoint is of that partition', () => {
    const text = [...renderDist(model).values()].join('\n');
    const arns = [...text.matchAll(/\barn:([a-z-]+):/g)].map((match) => match[1]);
    const endpoints = [...text.matchAll(new RegExp(`[a-z0-9.-]+\\.${region}\\.amazonaws\\.com(?:\\.cn)?`, 'g'))].map(
      (match) => match[0],
    );
    // The certificate's ARN, the images' registry and (with a queue) the queue URLs are there to check.
    expect(arns.length).toBeGreaterThan(0);
    expect(endpoints.some((host) => host.includes('.dkr.ecr.'))).toBe(true);
    expect(arns.filter((found) => found !== partition)).toEqual([]);
    expect(endpoints.filter((host) => !host.endsWith(`.${region}.${domainSuffix}`))).toEqual([]);
  });
});
