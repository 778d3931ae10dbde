import { SNAPSHOT_CONTROLLER_ADDON } from '@platform/aws-platform';
import { ADDON_SERVICE_ACCOUNTS, GITOPS_ROOT_APPLICATION, type ServiceAccountRef } from '@platform/model';
import { type RenderedObject, renderModel } from '../k8s/support/rendered';
import { type CloudTemplates, shippedCloud } from './cloud-assembly';

/**
 * CloudFormation creates a resource as soon as everything it depends on exists. A resource that
 * waits for its pods at create time fails when no node can run them, so it must come after every
 * managed node group; the add-ons a node needs to become Ready must come before them.
 *
 * Which resources wait for pods, and which add-ons nodes need, are facts about each resource type
 * and EKS add-on, kept here and in docs/aws.md. An add-on in neither list fails the test until it
 * is classified, so a new add-on cannot slip in unordered.
 */

/** Resource types whose creation waits for pods: the kubectl handler runs `helm upgrade --install --wait`. */
const POD_WAITING_TYPES = ['Custom::AWSCDK-EKS-HelmChart'];

/**
 * EKS add-ons with a Deployment (or StatefulSet): EKS reports them DEGRADED, and CloudFormation fails
 * their creation, until nodes run those pods.
 */
const ADDONS_WITH_DEPLOYMENTS = [
  'coredns',
  'aws-ebs-csi-driver',
  'aws-efs-csi-driver',
  'aws-mountpoint-s3-csi-driver',
  'snapshot-controller',
  'metrics-server',
  'amazon-cloudwatch-observability',
  'adot',
  'aws-guardduty-agent',
];

/** EKS add-ons a node needs before it becomes Ready (pod networking, service routing, pod credentials). */
const ADDONS_NODES_NEED = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent'];

// biome-ignore lint/suspicious/noExplicitAny: templates are walked as plain JSON.
type Json = any;

/** Logical IDs a resource refers to (Ref, Fn::GetAtt, Fn::Sub) or names in DependsOn: CloudFormation creates those first. */
function directDependencies(resource: Json, logicalIds: ReadonlySet<string>): Set<string> {
  const found = new Set<string>([resource.DependsOn ?? []].flat());
  const walk = (node: Json): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') found.add(value);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(value) ? value[0] : String(value).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(value) ? value[0] : value;
        for (const [, name] of String(text).matchAll(/\$\{([^}!.]+)[^}]*\}/g)) found.add(name);
        if (Array.isArray(value)) walk(value[1]);
      } else walk(value);
    }
  };
  walk(resource.Properties);
  return new Set([...found].filter((id) => logicalIds.has(id)));
}

/** Every logical ID each resource waits for, directly or through others. */
function transitiveDependencies(resources: Record<string, Json>): Map<string, Set<string>> {
  const logicalIds = new Set(Object.keys(resources));
  const direct = new Map([...logicalIds].map((id) => [id, directDependencies(resources[id], logicalIds)]));
  const closure = new Map<string, Set<string>>();
  const visit = (id: string, path: string[]): Set<string> => {
    const known = closure.get(id);
    if (known) return known;
    if (path.includes(id)) throw new Error(`dependency cycle: ${[...path, id].join(' -> ')}`);
    const all = new Set<string>();
    for (const dependency of direct.get(id) ?? []) {
      all.add(dependency);
      for (const further of visit(dependency, [...path, id])) all.add(further);
    }
    closure.set(id, all);
    return all;
  };
  for (const id of logicalIds) visit(id, []);
  return closure;
}

let synthesized: CloudTemplates;
let rendered: RenderedObject[];
beforeAll(() => {
  synthesized = shippedCloud();
  rendered = renderModel(synthesized.model);
});

/** The logical ID of the root Application the cluster stack applies (GitOpsBootstrap). */
function rootApplicationOf(resources: Record<string, Json>): string {
  const found = Object.keys(resources).filter((id) => {
    const manifest = resources[id].Properties?.Manifest;
    if (typeof manifest !== 'string') return false;
    return (JSON.parse(manifest) as Json[]).some(
      (object) => object.kind === 'Application' && object.metadata?.name === GITOPS_ROOT_APPLICATION,
    );
  });
  expect(found).toHaveLength(1);
  return found[0];
}

/** Every value below a node. */
function* valuesBelow(node: Json): Generator<Json> {
  yield node;
  if (node && typeof node === 'object') for (const value of Object.values(node)) yield* valuesBelow(value);
}

/**
 * Whether an Argo CD Application of the environment's dist/ installs the service account: it deploys into the
 * account's namespace and names the account in a `serviceAccount` block of its Helm values.
 */
function installedByArgoCd(environment: string, account: ServiceAccountRef): boolean {
  return rendered.some(
    ({ environment: where, object }) =>
      where === environment &&
      object.kind === 'Application' &&
      object.spec?.destination?.namespace === account.namespace &&
      [...valuesBelow(object.spec)].some(
        (value) =>
          value &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          'serviceAccount' in value &&
          [...valuesBelow(value.serviceAccount)].some((inner) => inner?.name === account.name),
      ),
  );
}

describe('startup order on the dependency graph of each cluster template', () => {
  const environments = () => synthesized.model.environments.map((environment) => environment.name);

  test('the classification of resource types and add-ons is consistent', () => {
    expect(ADDONS_WITH_DEPLOYMENTS.filter((name) => ADDONS_NODES_NEED.includes(name))).toEqual([]);
  });

  test('every resource that waits for pods comes after every managed node group of its cluster', () => {
    expect(environments().length).toBeGreaterThan(0);
    for (const environment of environments()) {
      const resources: Record<string, Json> = synthesized.template(`${environment}-cluster`).toJSON().Resources;
      const dependencies = transitiveDependencies(resources);
      const ofType = (type: string) => Object.keys(resources).filter((id) => resources[id].Type === type);
      const nodegroups = ofType('AWS::EKS::Nodegroup');
      expect(nodegroups.length).toBeGreaterThan(0);
      const waiting = [
        ...POD_WAITING_TYPES.flatMap(ofType),
        ...ofType('AWS::EKS::Addon').filter((id) =>
          ADDONS_WITH_DEPLOYMENTS.includes(resources[id].Properties.AddonName),
        ),
      ];
      expect(waiting.length).toBeGreaterThan(0);
      const missing = waiting.flatMap((id) =>
        nodegroups
          .filter((nodegroup) => !dependencies.get(id)?.has(nodegroup))
          .map((nodegroup) => `${environment}: ${id} does not wait for ${nodegroup}`),
      );
      expect(missing).toEqual([]);
    }
  });

  test('the add-ons nodes need to become Ready never wait for a node group, and every add-on is classified', () => {
    for (const environment of environments()) {
      const resources: Record<string, Json> = synthesized.template(`${environment}-cluster`).toJSON().Resources;
      const dependencies = transitiveDependencies(resources);
      const nodegroups = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::EKS::Nodegroup');
      const addons = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::EKS::Addon');
      for (const id of addons) {
        const name: string = resources[id].Properties.AddonName;
        expect([...ADDONS_WITH_DEPLOYMENTS, ...ADDONS_NODES_NEED]).toContain(name);
        if (!ADDONS_NODES_NEED.includes(name)) continue;
        expect([...(dependencies.get(id) ?? [])].filter((dependency) => nodegroups.includes(dependency))).toEqual([]);
        for (const nodegroup of nodegroups) expect(dependencies.get(nodegroup)).toContain(id);
      }
    }
  });

  test('a Helm release that waits for its pods allows them at least 10 minutes, and reports before its Lambda stops', () => {
    for (const environment of environments()) {
      const releases = Object.values(
        synthesized.template(`${environment}-cluster`).findResources('Custom::AWSCDK-EKS-HelmChart'),
      ) as Json[];
      expect(releases.length).toBeGreaterThan(0);
      // Helm runs inside the kubectl provider's functions: if they stop first, nobody answers CloudFormation.
      const functions = Object.entries(
        synthesized.template(`${environment}-cluster`).findResources('AWS::Lambda::Function'),
      ) as [string, Json][];
      const providerTimeouts = functions
        .filter(([id]) => id.includes('KubectlProvider'))
        .map(([, resource]) => Number(resource.Properties.Timeout));
      expect(providerTimeouts.length).toBeGreaterThan(0);
      for (const { Properties } of releases) {
        if (!Properties.Wait) continue;
        // The handler passes Timeout to `helm --timeout`; without it Helm waits 5 minutes.
        expect(Properties.Timeout).toMatch(/^\d+s$/);
        const seconds = Number.parseInt(Properties.Timeout, 10);
        expect(seconds).toBeGreaterThanOrEqual(10 * 60);
        expect(seconds + 60).toBeLessThanOrEqual(Math.min(...providerTimeouts));
      }
    }
  });

  test('every add-on Argo CD installs has its Pod Identity association before the root Application', () => {
    for (const environment of environments()) {
      const resources: Record<string, Json> = synthesized.template(`${environment}-cluster`).toJSON().Resources;
      const dependencies = transitiveDependencies(resources);
      const root = rootApplicationOf(resources);
      const installed = Object.values(ADDON_SERVICE_ACCOUNTS).filter((account) =>
        installedByArgoCd(environment, account),
      );
      // Not vacuous: Argo CD installs the collectors and Velero in every environment.
      expect(installed).toEqual(
        expect.arrayContaining([
          ADDON_SERVICE_ACCOUNTS.velero,
          ADDON_SERVICE_ACCOUNTS.logCollector,
          ADDON_SERVICE_ACCOUNTS.traceCollector,
        ]),
      );
      const late = installed.flatMap((account) => {
        const associations = Object.keys(resources).filter(
          (id) =>
            resources[id].Type === 'AWS::EKS::PodIdentityAssociation' &&
            resources[id].Properties.Namespace === account.namespace &&
            resources[id].Properties.ServiceAccount === account.name,
        );
        if (associations.length !== 1) {
          return [`${environment}: ${account.namespace}/${account.name} has ${associations.length} associations`];
        }
        return dependencies.get(root)?.has(associations[0])
          ? []
          : [`${environment}: ${root} does not wait for ${associations[0]} (${account.namespace}/${account.name})`];
      });
      expect(late).toEqual([]);
    }
  });

  test('the root Application waits for the EKS add-ons whose CRDs dist/ uses', () => {
    for (const environment of environments()) {
      const resources: Record<string, Json> = synthesized.template(`${environment}-cluster`).toJSON().Resources;
      const dependencies = transitiveDependencies(resources);
      const root = rootApplicationOf(resources);
      const snapshotController = Object.keys(resources).filter(
        (id) =>
          resources[id].Type === 'AWS::EKS::Addon' && resources[id].Properties.AddonName === SNAPSHOT_CONTROLLER_ADDON,
      );
      expect(snapshotController).toHaveLength(1);
      // The VolumeSnapshotClass of dist/ (wave -1) needs the add-on's CRD.
      expect(
        rendered.some((file) => file.environment === environment && file.object.kind === 'VolumeSnapshotClass'),
      ).toBe(true);
      expect(dependencies.get(root)).toContain(snapshotController[0]);
    }
  });
});
