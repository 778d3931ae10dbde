/**
 * Secrets stay with their service, checked on the outputs both engines read: for every ExternalSecret of an
 * environment's manifests, the store it names is a SecretStore of its own namespace (never a ClusterSecretStore), the
 * store authenticates as the IAM role its `role` names (External Secrets 1.3.2 assumes it from the controller's Pod
 * Identity, providers/v1/aws/auth/auth.go), and that role's policies allow exactly the secret and parameter ARNs the
 * naming contract gives one scope of the namespace: one service of the namespace's team (its data stores) or, for
 * monitoring, the Alertmanager receivers' secrets, and no other. Every key the ExternalSecret reads is its role's.
 * The controller's own role reads nothing itself, and may assume no role an ExternalSecret does not need (a pattern
 * of its policy matches no other role of the environment's stacks). Expectations are computed here from the model
 * and the naming functions, not from `secretReaders`. test/contract/secret-access.test.ts runs it on dist/,
 * test/properties/aws.test.ts on generated models.
 */
import {
  CONNECTION_PARAMETERS,
  EnvironmentNaming,
  modelIn,
  PLATFORM_NAMESPACES,
  type PlatformModel,
  partitionOf,
} from '@platform/model';
import { environmentResources, type Templates } from './aws-invariants';
import type { RenderedDist } from './kubernetes-invariants';

// biome-ignore lint/suspicious/noExplicitAny: templates and manifests are walked as plain JSON.
type Json = any;

/** A set of secrets and parameters (as ARNs) the contract gives one store's role. */
interface Scope {
  readonly what: string;
  readonly secrets: Set<string>;
  readonly parameters: Set<string>;
}

/** The scopes (as ARNs) the contract gives a namespace: one per service of its team with a data store, or monitoring's. */
function expectedScopes(model: PlatformModel, environmentName: string, namespace: string): Scope[] {
  const view = modelIn(model, environmentName);
  const environment = view.environments.find((candidate) => candidate.name === environmentName);
  if (!environment) throw new Error(environmentName);
  const naming = new EnvironmentNaming(model.organization, environment);
  const { region, account } = environment;
  const partition = partitionOf(region);
  const secret = (name: string) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-??????`;
  const parameter = (name: string) => `arn:${partition}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
  if (view.teams.some((team) => team.name === namespace)) {
    return view.services
      .filter((candidate) => candidate.team === namespace)
      .map((service) => {
        const secrets = new Set<string>();
        const parameters = new Set<string>();
        const stores = [
          ...(service.dependencies.database ? (['postgres'] as const) : []),
          ...(service.dependencies.cache ? (['redis'] as const) : []),
        ];
        for (const store of stores) {
          // PostgreSQL takes IAM tokens as the service's own user: its master credentials are no namespace's to read.
          if (store === 'redis') secrets.add(secret(naming.credentialsSecretName(service.name, store)));
          for (const key of CONNECTION_PARAMETERS[store]) {
            parameters.add(parameter(naming.connectionParameterName(service.name, store, key)));
          }
        }
        return { what: `service ${service.name}`, secrets, parameters };
      })
      .filter((scope) => scope.secrets.size + scope.parameters.size > 0);
  }
  if (namespace === PLATFORM_NAMESPACES.monitoring) {
    const secrets = new Set(naming.alertReceiverSecrets.map(({ secretName }) => secret(secretName)));
    return [{ what: namespace, secrets, parameters: new Set() }];
  }
  return [];
}

/** Whether an IAM ARN pattern (`*` any run of characters, `?` one character) matches an ARN. */
function arnMatches(pattern: string, arn: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(arn);
}

export interface Resource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Json;
}

const sorted = (values: Iterable<string>) => [...values].sort();
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Everything that keeps a namespace's secrets with it, as a list of faults (empty when all holds). */
export function secretAccessProblems(
  model: PlatformModel,
  environmentName: string,
  objects: readonly Json[],
  resources: readonly Resource[],
): string[] {
  const problems: string[] = [];
  const teams = new Set(model.teams.map((team) => team.name));

  // A ClusterSecretStore is usable from every namespace its conditions admit (all of them without conditions).
  for (const store of objects.filter((object) => object.kind === 'ClusterSecretStore')) {
    const conditions: Json[] = store.spec?.conditions ?? [];
    const open =
      conditions.length === 0 ||
      conditions.some(
        (condition) =>
          condition.namespaceSelector !== undefined ||
          condition.namespaceRegexes !== undefined ||
          asList<string>(condition.namespaces).some((namespace) => teams.has(namespace)),
      );
    if (open) problems.push(`ClusterSecretStore ${store.metadata.name} is usable from team namespaces`);
  }

  const environment = model.environments.find((candidate) => candidate.name === environmentName);
  if (!environment) throw new Error(environmentName);
  const partition = partitionOf(environment.region);
  const roles = resources.filter((resource) => resource.type === 'AWS::IAM::Role');
  // A role's ARN has its path between `role/` and its name (IAM user guide, reference_identifiers).
  const arnOf = (role: Resource) =>
    `arn:${partition}:iam::${environment.account}:role/${((role.properties.Path as string | undefined) ?? '/').slice(1)}${role.properties.RoleName}`;
  const roleByArn = new Map(roles.map((role) => [arnOf(role), role]));
  const policiesOf = (role: Resource): Json[] => [
    ...resources
      .filter((resource) => resource.type === 'AWS::IAM::Policy' || resource.type === 'AWS::IAM::ManagedPolicy')
      // Attached by reference, or by the role's name (a policy of another stack attaches by name).
      .filter((policy) =>
        asList<Json>(policy.properties.Roles).some(
          (ref) => ref?.Ref === role.logicalId || ref === role.properties.RoleName,
        ),
      )
      .map((policy) => policy.properties.PolicyDocument),
    ...asList<Json>(role.properties.Policies).map((policy) => policy.PolicyDocument),
  ];
  const statementsOf = (role: Resource): Json[] =>
    policiesOf(role).flatMap((document) => asList<Json>(document.Statement));
  const readsOf = (role: Resource) => {
    const secrets = new Set<string>();
    const parameters = new Set<string>();
    for (const statement of statementsOf(role)) {
      const actions = asList<string>(statement.Action);
      if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
        problems.push(`role ${role.properties.RoleName} has a NotAction or NotResource statement`);
      }
      if (actions.some((action) => action === '*' || action.startsWith('secretsmanager:'))) {
        for (const resource of asList<Json>(statement.Resource))
          secrets.add(JSON.stringify(resource).replace(/^"|"$/g, ''));
      }
      if (actions.some((action) => action === '*' || action.startsWith('ssm:'))) {
        for (const resource of asList<Json>(statement.Resource)) {
          parameters.add(JSON.stringify(resource).replace(/^"|"$/g, ''));
        }
      }
    }
    return { secrets, parameters };
  };
  // A cluster's name as a template gives it: written out, or a reference to the cluster resource.
  const clusterNameOf = (value: Json): Json => {
    const cluster = resources.find((resource) => resource.logicalId === value?.Ref);
    return cluster?.type === 'AWS::EKS::Cluster' ? cluster.properties.Name : value;
  };

  const naming = new EnvironmentNaming(model.organization, environment);
  const controller = roles.find((role) => role.properties.RoleName === naming.addonRoleName('externalSecrets'));
  if (!controller) return [...problems, 'the External Secrets controller role is missing'];
  const controllerReads = readsOf(controller);
  if (controllerReads.secrets.size + controllerReads.parameters.size > 0) {
    problems.push('the External Secrets controller role reads secrets or parameters itself, for every store');
  }
  if (asList(controller.properties.ManagedPolicyArns).length > 0)
    problems.push('the controller role has managed policies');
  // What the controller may assume: roles of its own stack by reference, others by ARN or ARN pattern.
  const assumable = statementsOf(controller)
    .filter((statement) =>
      asList<string>(statement.Action).some((action) => action === '*' || action.startsWith('sts:Assume')),
    )
    .flatMap((statement) => asList<Json>(statement.Resource))
    .map((resource) =>
      resource?.['Fn::GetAtt']?.[1] === 'Arn'
        ? { logicalId: resource['Fn::GetAtt'][0] as string }
        : { pattern: typeof resource === 'string' ? resource : JSON.stringify(resource) },
    );
  const mayAssume = (role: Resource) =>
    assumable.some((entry) =>
      'logicalId' in entry ? entry.logicalId === role.logicalId : arnMatches(entry.pattern, arnOf(role)),
    );
  const controllerArn = `arn:${partition}:iam::${environment.account}:role/${controller.properties.RoleName}`;
  if ((controller.properties.Path ?? '/') !== '/') problems.push('the controller role has a path');

  const externalSecrets = objects.filter((object) => object.kind === 'ExternalSecret');
  const usedRoles = new Set<string>();
  for (const external of externalSecrets) {
    const namespace = external.metadata.namespace as string;
    const where = `ExternalSecret ${namespace}/${external.metadata.name}`;
    const references = [
      { ref: external.spec.secretStoreRef, keys: [] as string[] },
      ...asList<Json>(external.spec.data).map((data) => ({
        ref: data.sourceRef?.storeRef ?? external.spec.secretStoreRef,
        keys: [data.remoteRef.key as string],
      })),
    ];
    if (asList(external.spec.dataFrom).length > 0) problems.push(`${where} uses dataFrom, which may read by pattern`);
    const scopes = expectedScopes(model, environmentName, namespace);
    for (const { ref, keys } of references) {
      if (ref?.kind !== 'SecretStore') {
        problems.push(
          `${where} reads through a ${ref?.kind ?? 'default'} store ${ref?.name}, not a SecretStore of its namespace`,
        );
        continue;
      }
      const store = objects.find(
        (object) =>
          object.kind === 'SecretStore' && object.metadata.name === ref.name && object.metadata.namespace === namespace,
      );
      const aws = store?.spec?.provider?.aws;
      if (!aws) {
        problems.push(`${where} names SecretStore ${ref.name}, which ${namespace} has not (or not for AWS)`);
        continue;
      }
      if (aws.auth !== undefined || asList(aws.additionalRoles).length > 0) {
        problems.push(`SecretStore ${namespace}/${ref.name} authenticates other than the controller assuming its role`);
      }
      const role = roleByArn.get(aws.role ?? '');
      if (!role) {
        problems.push(
          `SecretStore ${namespace}/${ref.name} assumes '${aws.role}', which is no role of the environment's stacks`,
        );
        continue;
      }
      const roleName = role.properties.RoleName as string;
      usedRoles.add(role.logicalId);
      const reads = readsOf(role);
      // The role's reads are exactly one scope of the namespace: one service's, or monitoring's.
      const scope = scopes.find(
        (candidate) =>
          JSON.stringify(sorted(reads.secrets)) === JSON.stringify(sorted(candidate.secrets)) &&
          JSON.stringify(sorted(reads.parameters)) === JSON.stringify(sorted(candidate.parameters)),
      );
      if (!scope) {
        problems.push(
          `role ${roleName} behind ${where} allows secrets [${sorted(reads.secrets)}] and parameters [${sorted(reads.parameters)}]; the contract gives ${namespace} ${scopes.map((candidate) => `${candidate.what} [${sorted(candidate.secrets)}] and [${sorted(candidate.parameters)}]`).join(', ') || 'nothing'}`,
        );
      }
      for (const key of keys) {
        const arn =
          aws.service === 'ParameterStore'
            ? `arn:${partition}:ssm:${environment.region}:${environment.account}:parameter/${key.replace(/^\//, '')}`
            : `arn:${partition}:secretsmanager:${environment.region}:${environment.account}:secret:${key}-??????`;
        const have = aws.service === 'ParameterStore' ? reads.parameters : reads.secrets;
        const want = aws.service === 'ParameterStore' ? scope?.parameters : scope?.secrets;
        if (!want?.has(arn) || !have.has(arn))
          problems.push(`${where} reads '${key}', which is not its store's role's to read`);
      }
      if (!mayAssume(role)) problems.push(`the controller role may not assume ${roleName}`);
      const trust = asList<Json>(role.properties.AssumeRolePolicyDocument?.Statement);
      const principals = trust.flatMap((statement) =>
        asList<Json>(statement.Principal?.AWS ?? statement.Principal?.Service ?? '*'),
      );
      const isController = (principal: Json) =>
        principal?.['Fn::GetAtt']?.[0] === controller.logicalId || principal === controllerArn;
      if (principals.length !== 1 || !isController(principals[0])) {
        problems.push(
          `role ${roleName} trusts ${JSON.stringify(principals)}, not the External Secrets controller role alone`,
        );
      }
      // Pod Identity tags the controller's session with its cluster, namespace and service account (EKS user
      // guide, pod-id-abac); the trust must ask for exactly what the controller's association binds, and let the
      // tags pass (sts:TagSession), or the session's tags would not reach the reader role.
      const association = resources.find(
        (resource) =>
          resource.type === 'AWS::EKS::PodIdentityAssociation' &&
          resource.properties.RoleArn?.['Fn::GetAtt']?.[0] === controller.logicalId,
      );
      const wanted = association && {
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        tags: {
          'aws:PrincipalTag/eks-cluster-name': clusterNameOf(association.properties.ClusterName),
          'aws:PrincipalTag/kubernetes-namespace': association.properties.Namespace,
          'aws:PrincipalTag/kubernetes-service-account': association.properties.ServiceAccount,
        },
      };
      const granted = trust.map((statement) => {
        const tags = statement.Condition?.StringEquals;
        return {
          actions: sorted(asList<string>(statement.Action)),
          tags: tags && {
            ...tags,
            'aws:PrincipalTag/eks-cluster-name': clusterNameOf(tags['aws:PrincipalTag/eks-cluster-name']),
          },
        };
      });
      if (!wanted || JSON.stringify(granted) !== JSON.stringify([wanted])) {
        problems.push(
          `role ${roleName} trusts with ${JSON.stringify(granted)}; the controller's Pod Identity association asks for ${JSON.stringify(wanted)}`,
        );
      }
    }
  }
  // Every role the controller may assume is one a store of dist/ uses: no spare reader for a store someone adds, and
  // no pattern that reaches another role of the environment.
  for (const role of roles) {
    if (role !== controller && mayAssume(role) && !usedRoles.has(role.logicalId)) {
      problems.push(`the controller may assume ${role.properties.RoleName}, which no ExternalSecret needs`);
    }
  }
  for (const entry of assumable) {
    if ('logicalId' in entry && !roles.some((role) => role.logicalId === entry.logicalId)) {
      problems.push(`the controller may assume ${entry.logicalId}, which no ExternalSecret needs`);
    }
  }
  return problems;
}

/** The resources of a template, as secretAccessProblems reads them. */
export function resourcesOf(template: Json): Resource[] {
  return Object.entries(template.Resources as Record<string, Json>).map(([logicalId, resource]) => ({
    logicalId,
    type: resource.Type,
    properties: resource.Properties ?? {},
  }));
}

/** secretAccessProblems of every environment of a model, on its rendered objects and synthesized cluster stacks. */
export function modelSecretAccessProblems(
  model: PlatformModel,
  templates: Templates,
  dist: Pick<RenderedDist, 'objects'>,
): string[] {
  return model.environments.flatMap((environment) => {
    if (!templates.byStack.get(`${environment.name}-cluster`)) return [`${environment.name}: no cluster stack`];
    // The cluster stack's readers and add-on identities, and the services' identities from their own stacks.
    const cluster = { resources: environmentResources(model, templates, environment.name) };
    const objects = dist.objects.filter((file) => file.environment === environment.name).map((file) => file.object);
    return secretAccessProblems(model, environment.name, objects, resourcesOf({ Resources: cluster.resources })).map(
      (problem) => `${environment.name}: ${problem}`,
    );
  });
}
