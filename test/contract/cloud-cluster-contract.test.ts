import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENVIRONMENT_STACKS,
  environmentStackId,
  environmentStackIds,
  loadPlatformModel,
  sharedServicesStackIds,
} from '@platform/model';
import { parse } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { shippedCloud } from '../aws/cloud-assembly';
import { usesQueues } from '../support/model-facts';

/**
 * The contract between the halves, checked on their outputs: every AWS name the committed dist/
 * uses is one the templates create, in the same environment. Both are read as `pnpm synth` committed them
 * (dist/<env>/ and dist/cloudformation/), which `pnpm synth:check` proves fresh before jest runs; each file once.
 */

// biome-ignore lint/suspicious/noExplicitAny: templates and manifests are walked as plain JSON.
type Json = any;

interface Resource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Json;
}

const DIST = join(__dirname, '..', '..', 'dist');
const model = loadPlatformModel();
const cloud = shippedCloud();

const manifestsByEnvironment = new Map<string, Json[]>();
/** The objects of an environment's folder of dist/, parsed once; tests only read them. */
function manifests(environment: string): Json[] {
  let objects = manifestsByEnvironment.get(environment);
  if (!objects) {
    objects = listFiles(join(DIST, environment)).map((path) =>
      parse(readFileSync(join(DIST, environment, path), 'utf8')),
    );
    manifestsByEnvironment.set(environment, objects);
  }
  return objects;
}

function resources(stackIds: string[]): Resource[] {
  return stackIds.flatMap((stackId) =>
    Object.entries(cloud.template(stackId).toJSON().Resources as Record<string, Json>).map(([logicalId, resource]) => ({
      logicalId,
      type: resource.Type,
      properties: resource.Properties ?? {},
    })),
  );
}

/**
 * Every resource of the environment's stacks: the fixed ones as they are, the service and queue stacks (whose
 * logical IDs repeat from stack to stack) with their stack ID in front of their logical IDs (`combined`).
 */
function environmentResources(environment: string): Resource[] {
  const fixed = ENVIRONMENT_STACKS.map((stack) => environmentStackId(environment, stack));
  const catalog = environmentStackIds(cloud.model, environment).filter((id) => !fixed.includes(id));
  return [...resources(fixed), ...resourcesOf(cloud.combined(catalog, false).toJSON())];
}

function resourcesOf(template: Json): Resource[] {
  return Object.entries(template.Resources as Record<string, Json>).map(([logicalId, resource]) => ({
    logicalId,
    type: resource.Type,
    properties: resource.Properties ?? {},
  }));
}

function ofType(all: Resource[], type: string): Resource[] {
  return all.filter((resource) => resource.type === type);
}

/** Every value anywhere below a node, with the key it sits under. */
function* entries(node: Json, key = ''): Generator<[string, Json]> {
  yield [key, node];
  if (Array.isArray(node)) for (const item of node) yield* entries(item, key);
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) yield* entries(v, k);
}

const TEMPLATED_WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

function podSpecs(objects: Json[]): Json[] {
  return objects.flatMap((object) => {
    if (object.kind === 'Pod') return [object.spec];
    if (object.kind === 'CronJob') return [object.spec.jobTemplate.spec.template.spec];
    return TEMPLATED_WORKLOADS.includes(object.kind) ? [object.spec.template.spec] : [];
  });
}

function tagsOf(resource: Resource): Record<string, string> {
  return Object.fromEntries(((resource.properties.Tags ?? []) as Json[]).map((tag) => [tag.Key, tag.Value]));
}

describe.each(model.environments.map((environment) => environment.name))('environment %s', (environment) => {
  const objects = () => manifests(environment);
  const aws = () => environmentResources(environment);
  const env = model.environments.find((candidate) => candidate.name === environment);
  if (!env) throw new Error(environment);

  it('binds every service account of dist/ that runs a service to its IAM role by Pod Identity, and only those', () => {
    const associations = ofType(aws(), 'AWS::EKS::PodIdentityAssociation').map(
      (resource) => `${resource.properties.Namespace}/${resource.properties.ServiceAccount}`,
    );
    const serviceAccounts = objects()
      .filter((object) => object.kind === 'Deployment' && model.teams.some((t) => t.name === object.metadata.namespace))
      .map((object) => `${object.metadata.namespace}/${object.spec.template.spec.serviceAccountName}`);
    const declared = new Set(
      objects()
        .filter((object) => object.kind === 'ServiceAccount')
        .map((object) => `${object.metadata.namespace}/${object.metadata.name}`),
    );

    expect(serviceAccounts.length).toBe(model.services.length);
    for (const account of serviceAccounts) {
      expect(associations).toContain(account);
      expect(declared).toContain(account);
    }
  });

  it('binds every add-on service account that dist/ installs through Helm to an identity of the cluster stack', () => {
    const associations = new Set(
      ofType(aws(), 'AWS::EKS::PodIdentityAssociation').map(
        (resource) => `${resource.properties.Namespace}/${resource.properties.ServiceAccount}`,
      ),
    );
    const helmAccounts = objects()
      .filter((object) => object.kind === 'Application' && object.spec.source?.helm?.valuesObject)
      .flatMap((application) =>
        [...entries(application.spec.source.helm.valuesObject)]
          .filter(([key]) => key === 'serviceAccount')
          // Most charts name it `serviceAccount.name`; Velero's chart `serviceAccount.server.name`.
          .map(([, value]) => value?.name ?? value?.server?.name)
          .filter((name) => typeof name === 'string')
          .map((name) => `${application.spec.destination.namespace}/${name}`),
      );
    const withIdentity = helmAccounts.filter((account) => associations.has(account));

    expect(withIdentity.sort()).toEqual(
      [
        // external-dns only where the model names the edge's hosted zone, on both halves.
        ...(env.edge.hostedZone ? ['external-dns/external-dns'] : []),
        'external-secrets/external-secrets',
        'karpenter/karpenter',
        'kube-system/aws-load-balancer-controller',
        'velero/velero',
        'logging/fluent-bit',
        'tracing/opentelemetry-collector',
      ].sort(),
    );
    for (const association of associations) {
      const declaredInDist =
        helmAccounts.includes(association) ||
        objects().some(
          (object) =>
            object.kind === 'ServiceAccount' && `${object.metadata.namespace}/${object.metadata.name}` === association,
        );
      const managedAddon =
        association === 'kube-system/ebs-csi-controller-sa' &&
        ofType(aws(), 'AWS::EKS::Addon').some((addon) => addon.properties.AddonName === 'aws-ebs-csi-driver');
      expect({ association, known: declaredInDist || managedAddon }).toEqual({ association, known: true });
    }
  });

  it('reads only secrets and parameters that the templates create, and only keys those secrets hold', () => {
    const secrets = ofType(aws(), 'AWS::SecretsManager::Secret');
    const parameters = ofType(aws(), 'AWS::SSM::Parameter').map((resource) => resource.properties.Name);
    const externalSecrets = objects().filter((object) => object.kind === 'ExternalSecret');
    expect(externalSecrets.length).toBeGreaterThan(0);

    for (const externalSecret of externalSecrets) {
      for (const item of externalSecret.spec.data) {
        const storeName = item.sourceRef?.storeRef?.name ?? externalSecret.spec.secretStoreRef.name;
        const where = `${externalSecret.metadata.name}: ${item.remoteRef.key}`;
        // The provider of the SecretStore of that name in the ExternalSecret's namespace.
        const store = objects().find(
          (object) =>
            object.kind === 'SecretStore' &&
            object.metadata.name === storeName &&
            object.metadata.namespace === externalSecret.metadata.namespace,
        );
        expect({ where, store: store?.spec.provider.aws.service !== undefined }).toEqual({ where, store: true });
        if (store?.spec.provider.aws.service === 'ParameterStore') {
          expect({ where, found: parameters.includes(item.remoteRef.key) }).toEqual({ where, found: true });
        } else {
          const secret = secrets.find((resource) => resource.properties.Name === item.remoteRef.key);
          expect({ where, found: secret !== undefined }).toEqual({ where, found: true });
          const generated = secret?.properties.GenerateSecretString ?? {};
          const keys = [
            ...Object.keys(JSON.parse(generated.SecretStringTemplate ?? '{}')),
            generated.GenerateStringKey,
          ];
          expect({ where, property: item.remoteRef.property, held: keys.includes(item.remoteRef.property) }).toEqual({
            where,
            property: item.remoteRef.property,
            held: true,
          });
        }
      }
    }
  });

  it('points at queues that the templates create, in the environment’s own account and region', () => {
    const queueNames = ofType(aws(), 'AWS::SQS::Queue').map((resource) => resource.properties.QueueName);
    const urls = [...entries(objects())]
      .map(([, value]) => value)
      .filter((value): value is string => typeof value === 'string' && value.startsWith('https://sqs.'));
    // Every service that uses a queue gets its URL.
    expect(urls.length > 0).toBe(model.services.some(usesQueues));

    for (const url of urls) {
      const match = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([^/]+)$/.exec(url);
      expect(match?.slice(1)).toEqual([env.region, env.account, expect.any(String)]);
      expect(queueNames).toContain(match?.[3]);
    }
  });

  it('runs service images only from repositories of the shared registry stack', () => {
    const repositories = resourcesOf(cloud.combined(sharedServicesStackIds(cloud.model), false).toJSON())
      .filter((resource) => resource.type === 'AWS::ECR::Repository')
      .map((resource) => resource.properties.RepositoryName);
    const { account, region } = model.organization.sharedServices;
    const images = podSpecs(objects())
      .flatMap((spec) => [...(spec.initContainers ?? []), ...spec.containers])
      .map((container) => container.image as string);
    expect(images.length).toBe(model.services.length);

    for (const image of images) {
      const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)[:@]/.exec(image);
      expect(match?.slice(1, 3)).toEqual([account, region]);
      expect(repositories).toContain(match?.[3]);
    }
  });

  it('gives Karpenter the discovery tag, node role, cluster and interruption queue that the templates create', () => {
    const [nodeClass] = objects().filter((object) => object.kind === 'EC2NodeClass');
    const all = aws();
    const tagged = (type: string, key: string, value: string) =>
      ofType(all, type).filter((resource) => tagsOf(resource)[key] === value);

    for (const term of [...nodeClass.spec.subnetSelectorTerms, ...nodeClass.spec.securityGroupSelectorTerms]) {
      const [[key, value]] = Object.entries(term.tags as Record<string, string>);
      const type = nodeClass.spec.subnetSelectorTerms.includes(term) ? 'AWS::EC2::Subnet' : 'AWS::EC2::SecurityGroup';
      expect(tagged(type, key, value).length).toBeGreaterThan(0);
    }
    const privateSubnets = ofType(all, 'AWS::EC2::Subnet').filter(
      (s) => tagsOf(s)['aws-cdk:subnet-type'] === 'Private',
    );
    const [[key, value]] = Object.entries(nodeClass.spec.subnetSelectorTerms[0].tags as Record<string, string>);
    expect(tagged('AWS::EC2::Subnet', key, value)).toEqual(privateSubnets);

    expect(ofType(all, 'AWS::IAM::Role').map((role) => role.properties.RoleName)).toContain(nodeClass.spec.role);

    const clusterNames = ofType(all, 'AWS::EKS::Cluster').map((cluster) => cluster.properties.Name);
    const valuesNamed = (wanted: string) =>
      objects()
        .filter((object) => object.kind === 'Application')
        .flatMap((application) => [...entries(application.spec)].filter(([k]) => k === wanted).map(([, v]) => v));
    expect(valuesNamed('clusterName').length).toBeGreaterThan(0);
    for (const name of valuesNamed('clusterName')) expect(clusterNames).toContain(name);
    const queueNames = ofType(all, 'AWS::SQS::Queue').map((queue) => queue.properties.QueueName);
    expect(valuesNamed('interruptionQueue').length).toBe(1);
    for (const name of valuesNamed('interruptionQueue')) expect(queueNames).toContain(name);
  });

  it('allows egress to the data stores exactly on the isolated subnets the templates create', () => {
    const isolated = ofType(aws(), 'AWS::EC2::Subnet')
      .filter((subnet) => tagsOf(subnet)['aws-cdk:subnet-type'] === 'Isolated')
      .map((subnet) => subnet.properties.CidrBlock)
      .sort();
    const dataStorePorts = new Set([5432, 6379]);
    const dataStoreCidrs = objects()
      .filter((object) => object.kind === 'NetworkPolicy')
      .flatMap((policy) => policy.spec.egress ?? [])
      .filter((rule: Json) => (rule.ports ?? []).some((port: Json) => dataStorePorts.has(port.port)))
      .map((rule: Json) => (rule.to ?? []).map((peer: Json) => peer.ipBlock?.cidr).sort());

    expect(isolated).toHaveLength(env.availabilityZones.length);
    expect(dataStoreCidrs.length).toBe(
      model.services.reduce(
        (sum, service) => sum + Number(service.dependencies.database) + Number(service.dependencies.cache),
        0,
      ),
    );
    for (const cidrs of dataStoreCidrs) expect(cidrs).toEqual(isolated);
  });
});
