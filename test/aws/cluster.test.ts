import {
  ARGO_CD_CHART,
  NODE_MANAGED_POLICIES,
  rootApplicationManifest,
  rootProjectManifest,
} from '@platform/aws-platform';
import {
  ADDON_SERVICE_ACCOUNTS,
  GITOPS_ROOT_APPLICATION,
  PLATFORM_NAMESPACES,
  partitionOf,
  serviceAccountOf,
  serviceStackId,
} from '@platform/model';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { type CloudTemplates, MODEL_ENVIRONMENTS, resourcesOfType, shippedCloud } from './cloud-assembly';

let synthesized: CloudTemplates;
beforeAll(() => {
  synthesized = shippedCloud();
});

/** The statements of the policy attached to the role with this name. */
function statementsOfRole(template: Template, roleName: string): Record<string, unknown>[] {
  const roles = resourcesOfType(template, 'AWS::IAM::Role');
  const roleId = Object.keys(roles).find((id) => roles[id].Properties.RoleName === roleName);
  expect(roleId).toBeDefined();
  const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter(({ Properties }) =>
    (Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })),
  );
  return policies.flatMap(
    ({ Properties }) => (Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
  );
}

/** An ARN built with Fn::Join and the partition, as text. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) =>
      typeof part === 'string' ? part : JSON.stringify(part) === '{"Ref":"AWS::Partition"}' ? 'aws' : '?',
    )
    .join(separator);
}

interface KubernetesObject {
  readonly kind: string;
  readonly metadata: Record<string, unknown>;
  readonly spec?: { readonly source?: unknown };
}

const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);

describe.each(MODEL_ENVIRONMENTS)('%s cluster', (name) => {
  const template = () => synthesized.template(`${name}-cluster`);
  /** The cluster stack with every service stack of the environment (each service's identity is in its own stack). */
  const withServices = () =>
    synthesized.combined([
      `${name}-cluster`,
      // Velero's role is in the backup stack, beside its bucket; the cluster stack binds it by its ARN.
      `${name}-backup`,
      ...synthesized.model.services.map((service) => serviceStackId(name, service.name)),
    ]);

  test('EKS runs the catalogue version with API authentication, all control-plane logs and no creator admin', () => {
    template().hasResourceProperties('AWS::EKS::Cluster', {
      Name: synthesized.naming(name).clusterName,
      Version: synthesized.environment(name).cluster.kubernetesVersion,
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
      // The add-ons are the managed ones of the next test, none installed behind their back.
      BootstrapSelfManagedAddons: false,
      Logging: {
        ClusterLogging: {
          EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({
            Type: type,
          })),
        },
      },
    });
  });

  test('Kubernetes secrets are envelope-encrypted with a rotating customer-managed key', () => {
    const keys = resourcesOfType(template(), 'AWS::KMS::Key');
    const [cluster] = Object.values(resourcesOfType(template(), 'AWS::EKS::Cluster'));
    const encryption = cluster.Properties.EncryptionConfig as { Provider: { KeyArn: { 'Fn::GetAtt': string[] } } }[];
    const keyId = encryption[0].Provider.KeyArn['Fn::GetAtt'][0];
    expect(keys[keyId].Properties.EnableKeyRotation).toBe(true);
  });

  test('the API endpoint is reachable as the model says', () => {
    const access = synthesized.environment(name).cluster.endpointAccess;
    const expected =
      access.mode === 'private'
        ? { EndpointPrivateAccess: true, EndpointPublicAccess: false }
        : { EndpointPrivateAccess: true, EndpointPublicAccess: true, PublicAccessCidrs: access.publicCidrs };
    template().hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: Match.objectLike(expected) });
  });

  test('the admin role of the model gets cluster-admin through an access entry', () => {
    const entries = Object.values(resourcesOfType(template(), 'AWS::EKS::AccessEntry')).filter(
      ({ Properties }) => Properties.PrincipalArn === synthesized.environment(name).cluster.adminRoleArn,
    );
    expect(entries).toHaveLength(1);
    const policies = entries[0].Properties.AccessPolicies as { AccessScope: unknown; PolicyArn: unknown }[];
    expect(policies.map((policy) => [policy.AccessScope, joined(policy.PolicyArn)])).toEqual([
      [{ Type: 'cluster' }, 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'],
    ]);
  });

  test('managed add-ons: VPC CNI with prefix delegation and network policy enforcement, CoreDNS, kube-proxy, EBS CSI, snapshot controller, Pod Identity agent', () => {
    const addons = Object.values(resourcesOfType(template(), 'AWS::EKS::Addon')).map(({ Properties }) => Properties);
    expect(addons.map((addon) => addon.AddonName).sort()).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'snapshot-controller',
      'vpc-cni',
    ]);
    const vpcCni = addons.find((addon) => addon.AddonName === 'vpc-cni');
    const configuration = JSON.parse(String(vpcCni?.ConfigurationValues));
    expect(configuration.enableNetworkPolicy).toBe('true');
    expect(configuration.env.ENABLE_PREFIX_DELEGATION).toBe('true');
  });

  test('node groups system, general and spot run AL2023 with the model sizes, labels and taints', () => {
    const groups = Object.values(resourcesOfType(template(), 'AWS::EKS::Nodegroup')).map(
      ({ Properties }) => Properties,
    );
    expect(groups.map((group) => group.NodegroupName).sort()).toEqual(['general', 'spot', 'system']);
    const model = synthesized.environment(name).cluster.nodeGroups;
    for (const group of groups) {
      const groupName = group.NodegroupName as keyof typeof model;
      expect(group.AmiType).toBe('AL2023_ARM_64_STANDARD');
      expect(group.InstanceTypes).toEqual(model[groupName].instanceTypes);
      expect(group.ScalingConfig).toEqual({
        MinSize: model[groupName].minSize,
        DesiredSize: model[groupName].desiredSize,
        MaxSize: model[groupName].maxSize,
      });
      expect(group.Labels).toEqual({ 'node-role': groupName });
    }
    const byName = Object.fromEntries(groups.map((group) => [group.NodegroupName, group]));
    expect(byName.system.CapacityType).toBe('ON_DEMAND');
    expect(byName.general.CapacityType).toBe('ON_DEMAND');
    expect(byName.spot.CapacityType).toBe('SPOT');
    expect(byName.spot.InstanceTypes.length).toBeGreaterThan(1);
    expect(byName.spot.Taints).toEqual([{ Key: 'node-role', Value: 'spot', Effect: 'NO_SCHEDULE' }]);
    expect(byName.system.Taints).toEqual([{ Key: 'CriticalAddonsOnly', Value: 'true', Effect: 'NO_SCHEDULE' }]);
    expect(byName.general.Taints ?? []).toEqual([]);
  });

  test('nodes require IMDSv2 and get encrypted root volumes and the node security group', () => {
    template().hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }),
        BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })],
        SecurityGroupIds: Match.arrayWith([
          Match.objectLike({ 'Fn::GetAtt': ['PlatformNodeSecurityGroupEBA7E041', 'GroupId'] }),
        ]),
      }),
    });
  });

  test('the node security group carries the Karpenter discovery tag', () => {
    const { key, value } = synthesized.naming(name).karpenterDiscoveryTag;
    template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: `Nodes of ${synthesized.naming(name).clusterName}`,
      Tags: Match.arrayWith([{ Key: key, Value: value }]),
    });
  });

  test('Karpenter: node role with an EC2_LINUX access entry, and its interruption queue (the events that feed it: controller-policies.test.ts)', () => {
    const naming = synthesized.naming(name);
    template().hasResourceProperties('AWS::IAM::Role', {
      RoleName: naming.karpenterNodeRoleName,
      ManagedPolicyArns: NODE_MANAGED_POLICIES.map((policy) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${policy}`]],
      })),
    });
    template().hasResourceProperties('AWS::EKS::AccessEntry', {
      Type: 'EC2_LINUX',
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformKarpenterNodeRole'), 'Arn'] },
    });
    template().hasResourceProperties('AWS::SQS::Queue', {
      QueueName: naming.karpenterInterruptionQueueName,
      SqsManagedSseEnabled: true,
    });
  });

  test('Karpenter changes only instance profiles tagged for this cluster and region, and relabels its nodes with its own tags only', () => {
    const naming = synthesized.naming(name);
    const { region } = synthesized.environment(name);
    const clusterTag = `kubernetes.io/cluster/${naming.clusterName}`;
    const statements = statementsOfRole(template(), naming.addonRoleName('karpenter'));
    const profileActions = statements.filter((statement) =>
      asList(statement.Action).some((action) => String(action).includes('InstanceProfile')),
    );
    const conditionsOf = (action: string) => {
      const found = profileActions.filter((statement) => asList(statement.Action).includes(action));
      expect(found).toHaveLength(1);
      return found[0].Condition as Record<string, Record<string, string>>;
    };
    expect(conditionsOf('iam:CreateInstanceProfile').StringEquals).toMatchObject({
      [`aws:RequestTag/${clusterTag}`]: 'owned',
      'aws:RequestTag/topology.kubernetes.io/region': region,
    });
    for (const action of [
      'iam:TagInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:DeleteInstanceProfile',
    ]) {
      expect(conditionsOf(action).StringEquals).toMatchObject({
        [`aws:ResourceTag/${clusterTag}`]: 'owned',
        'aws:ResourceTag/topology.kubernetes.io/region': region,
      });
    }
    const tagging = statements.filter(
      (statement) =>
        asList(statement.Action).includes('ec2:CreateTags') &&
        JSON.stringify(statement.Condition).includes(`aws:ResourceTag/${clusterTag}`),
    );
    expect(tagging.map((statement) => statement.Condition)).toEqual([
      expect.objectContaining({
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      }),
    ]);
    const unconditioned = profileActions.filter((statement) => statement.Condition === undefined);
    expect(unconditioned.flatMap((statement) => asList(statement.Action)).sort()).toEqual([
      'iam:GetInstanceProfile',
      'iam:ListInstanceProfiles',
    ]);
  });

  /**
   * The logical ID of the role an association binds: by reference within its stack, or by the ARN of a role of
   * another stack of the environment, which the naming contract names.
   */
  const boundRole = (roleArn: unknown): string => {
    const roles = resourcesOfType(withServices(), 'AWS::IAM::Role');
    const reference = (roleArn as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0];
    if (reference) return reference;
    const { account, region } = synthesized.environment(name);
    const found = Object.keys(roles).filter(
      (id) => roleArn === `arn:${partitionOf(region)}:iam::${account}:role/${roles[id].Properties.RoleName}`,
    );
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('Pod Identity binds each contract role to exactly its service account', () => {
    const naming = synthesized.naming(name);
    const roles = resourcesOfType(withServices(), 'AWS::IAM::Role');
    const associations = Object.values(resourcesOfType(withServices(), 'AWS::EKS::PodIdentityAssociation')).map(
      ({ Properties }) => {
        const roleId = boundRole(Properties.RoleArn);
        return `${Properties.Namespace}/${Properties.ServiceAccount} -> ${roles[roleId].Properties.RoleName}`;
      },
    );
    const expected = [
      ...synthesized.model.services.map((service) => {
        const account = serviceAccountOf(service);
        return `${account.namespace}/${account.name} -> ${naming.workloadRoleName(service.name)}`;
      }),
      ...(Object.keys(ADDON_SERVICE_ACCOUNTS) as (keyof typeof ADDON_SERVICE_ACCOUNTS)[])
        // external-dns has an identity only where the model names the hosted zone it keeps.
        .filter((addon) => addon !== 'externalDns' || synthesized.environment(name).edge.hostedZone)
        .map((addon) => {
          const account = ADDON_SERVICE_ACCOUNTS[addon];
          return `${account.namespace}/${account.name} -> ${naming.addonRoleName(addon)}`;
        }),
    ];
    expect(associations.sort()).toEqual(expected.sort());
  });

  test('each Pod Identity role trusts only its own cluster, namespace and service account', () => {
    const roles = resourcesOfType(withServices(), 'AWS::IAM::Role');
    const [[clusterId, cluster]] = Object.entries(resourcesOfType(withServices(), 'AWS::EKS::Cluster'));
    // The add-ons' roles refer to the cluster; the services' roles, in stacks of their own, name it.
    expect(cluster.Properties.Name).toBe(synthesized.naming(name).clusterName);
    const clusterNames = [JSON.stringify({ Ref: clusterId }), JSON.stringify(cluster.Properties.Name)];
    const associations = Object.values(resourcesOfType(withServices(), 'AWS::EKS::PodIdentityAssociation'));
    expect(associations.length).toBeGreaterThan(0);
    for (const { Properties } of associations) {
      const roleId = boundRole(Properties.RoleArn);
      const trust = roles[roleId].Properties.AssumeRolePolicyDocument as {
        Statement: { Condition: { StringEquals: Record<string, unknown> } }[];
      };
      const named = trust.Statement[0]?.Condition?.StringEquals?.['aws:RequestTag/eks-cluster-name'];
      expect(clusterNames).toContain(JSON.stringify(named));
      expect(roles[roleId].Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:RequestTag/eks-cluster-name': named,
                'aws:RequestTag/kubernetes-namespace': Properties.Namespace,
                'aws:RequestTag/kubernetes-service-account': Properties.ServiceAccount,
              },
            },
          },
        ],
      });
    }
  });

  test('each service may send to exactly the queues it publishes to and receive from exactly those it consumes', () => {
    const naming = synthesized.naming(name);
    const { region, account } = synthesized.environment(name);
    const queueArn = (queue: string) => `arn:aws:sqs:${region}:${account}:${naming.queueName(queue)}`;
    const CONSUME = [
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ];
    for (const service of synthesized.model.services) {
      // Every (action, queue) pair the role's statements allow, however they are grouped into statements.
      const granted = statementsOfRole(withServices(), naming.workloadRoleName(service.name)).flatMap((statement) =>
        asList(statement.Action)
          .map(String)
          .filter((action) => action.startsWith('sqs:'))
          .flatMap((action) => asList(statement.Resource).map((resource) => `${action} ${joined(resource)}`)),
      );
      const expected = [
        ...service.dependencies.publishes.map((queue) => `sqs:SendMessage ${queueArn(queue)}`),
        ...service.dependencies.consumes.flatMap((queue) => CONSUME.map((action) => `${action} ${queueArn(queue)}`)),
      ];
      expect({ service: service.name, granted: [...new Set(granted)].sort() }).toEqual({
        service: service.name,
        granted: [...new Set(expected)].sort(),
      });
    }
  });

  test('a service with a database may log in as its own database user, with IAM, and as no other', () => {
    const naming = synthesized.naming(name);
    const { region, account } = synthesized.environment(name);
    for (const service of synthesized.model.services) {
      const logins = statementsOfRole(withServices(), naming.workloadRoleName(service.name))
        .filter((statement) => asList(statement.Action).some((action) => String(action).startsWith('rds-db:')))
        .map((statement) => ({ action: statement.Action, resource: statement.Resource }));
      const user = `${service.name.replaceAll('-', '_')}_${name.replaceAll('-', '_')}`;
      expect({ service: service.name, logins }).toEqual({
        service: service.name,
        logins: service.dependencies.database
          ? [{ action: 'rds-db:connect', resource: `arn:aws:rds-db:${region}:${account}:dbuser:*/${user}` }]
          : [],
      });
    }
  });

  test('a service reads only its own cache credentials, never a database master secret', () => {
    const naming = synthesized.naming(name);
    for (const service of synthesized.model.services) {
      const statements = statementsOfRole(withServices(), naming.workloadRoleName(service.name));
      const secretResources = statements
        .filter((statement) => asList(statement.Action).includes('secretsmanager:GetSecretValue'))
        .flatMap((statement) => asList(statement.Resource).map((resource) => JSON.stringify(resource)));
      // PostgreSQL takes IAM tokens (rds-db:connect, granted in the data stack); only the Valkey auth token is read.
      expect(secretResources).toHaveLength(service.dependencies.cache ? 1 : 0);
      for (const resource of secretResources) {
        expect(resource).toContain(`:secret:${naming.secretPrefix}${service.name}/redis-`);
        expect(resource).not.toContain('*');
      }
    }
  });

  test('External Secrets reads nothing itself: it may only assume the secret reader roles', () => {
    const naming = synthesized.naming(name);
    const statements = statementsOfRole(template(), naming.addonRoleName('externalSecrets'));
    expect(statements.flatMap((statement) => asList(statement.Action)).sort()).toEqual([
      'sts:AssumeRole',
      'sts:TagSession',
    ]);
    // secret-access.test.ts checks what each reader role allows against the naming contract.
  });

  test('the EBS CSI driver identity carries the driver policy', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      RoleName: synthesized.naming(name).addonRoleName('ebsCsiDriver'),
      ManagedPolicyArns: [
        Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([':iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'])]),
        }),
      ],
    });
  });

  test('Argo CD is installed from its pinned chart with the catalogue kubectl layer', () => {
    // 10.3.3 ships Argo CD 3.5.1, the CRDs dist/ is validated against: a bump is a reviewed change.
    template().hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'argo-cd',
      Repository: 'https://argoproj.github.io/argo-helm',
      Version: '10.3.3',
      Namespace: PLATFORM_NAMESPACES.argocd,
    });
    template().hasResourceProperties('AWS::Lambda::LayerVersion', {
      Description: Match.stringLikeRegexp('kubectl 1\\.35\\.'),
    });
  });

  test('Argo CD judges child Applications by their health, so sync waves between them hold', () => {
    const [argoCd] = Object.values(resourcesOfType(template(), 'Custom::AWSCDK-EKS-HelmChart')).filter(
      (chart) => chart.Properties.Chart === ARGO_CD_CHART.chart,
    );
    const values = JSON.parse(String(argoCd.Properties.Values));
    const check: string = values.configs.cm['resource.customizations.health.argoproj.io_Application'];
    expect(check).toContain('health.status = obj.status.health.status');
    expect(check).toMatch(/status = "Progressing"/);
  });

  test('the root Application syncs the environment folder of the GitOps repository, not recursively', () => {
    const gitops = synthesized.environment(name).gitops;
    const manifests = Object.values(resourcesOfType(template(), 'Custom::AWSCDK-EKS-KubernetesResource'))
      .map(({ Properties }) => Properties.Manifest)
      .filter((manifest): manifest is string => typeof manifest === 'string')
      .flatMap((manifest) => JSON.parse(manifest) as KubernetesObject[]);
    const applications = manifests.filter((manifest) => manifest.kind === 'Application');
    expect(applications).toHaveLength(1);
    expect(applications[0].metadata).toMatchObject({
      name: GITOPS_ROOT_APPLICATION,
      namespace: PLATFORM_NAMESPACES.argocd,
    });
    expect(applications[0].spec?.source).toEqual({
      repoURL: gitops.repoUrl,
      targetRevision: gitops.targetRevision,
      path: gitops.path,
      directory: { recurse: false },
    });
    // Nothing else is applied by CDK: every other object comes from Git.
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(['AppProject', 'Application']);
  });

  test('the root Application is applied after its restricted AppProject, both as the Kubernetes tests simulate them', () => {
    const environment = synthesized.environment(name);
    const kubernetesResources = resourcesOfType(template(), 'Custom::AWSCDK-EKS-KubernetesResource');
    const applied = (kind: string) =>
      Object.entries(kubernetesResources).flatMap(([id, { Properties, DependsOn }]) =>
        typeof Properties.Manifest === 'string'
          ? (JSON.parse(Properties.Manifest) as KubernetesObject[])
              .filter((manifest) => manifest.kind === kind)
              .map((manifest) => ({ id, manifest, dependsOn: (DependsOn ?? []) as string[] }))
          : [],
      );
    const [project] = applied('AppProject');
    const [application] = applied('Application');
    // test/k8s/argocd.test.ts runs the Argo CD simulation with these very functions (CDK adds its prune label).
    expect(project.manifest).toMatchObject(rootProjectManifest(environment));
    expect(application.manifest).toMatchObject(rootApplicationManifest(environment));
    expect(application.dependsOn).toContain(project.id);
    // The project's CRD comes with the Argo CD chart, which also creates the namespace the simulation takes as given.
    const [argoCd] = Object.entries(resourcesOfType(template(), 'Custom::AWSCDK-EKS-HelmChart')).filter(
      ([, chart]) => chart.Properties.Chart === ARGO_CD_CHART.chart,
    );
    expect(project.dependsOn).toContain(argoCd[0]);
    expect(argoCd[1].Properties).toMatchObject({ Namespace: PLATFORM_NAMESPACES.argocd, CreateNamespace: true });
  });

  test('provider functions, which see the repository token in their events, log errors only to encrypted, expiring log groups', () => {
    const functions = resourcesOfType(template(), 'AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(3);
    for (const { Properties } of Object.values(functions)) {
      expect(Properties.LoggingConfig).toMatchObject({
        LogFormat: 'JSON',
        ApplicationLogLevel: expect.stringMatching(/^(ERROR|FATAL)$/),
      });
    }
    const logGroups = Object.values(resourcesOfType(template(), 'AWS::Logs::LogGroup')).map(
      ({ Properties }) => Properties,
    );
    const logGroupOf = (functionId: string) =>
      logGroups.find((group) => JSON.stringify(group.LogGroupName).includes(`{"Ref":"${functionId}"}`));
    const keys = resourcesOfType(template(), 'AWS::KMS::Key');
    for (const functionId of Object.keys(functions)) {
      const logGroup = logGroupOf(functionId);
      expect(logGroup).toMatchObject({ RetentionInDays: 14, KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      const [keyId] = (logGroup as { KmsKeyId: { 'Fn::GetAtt': string[] } }).KmsKeyId['Fn::GetAtt'];
      expect(keys[keyId].Properties.EnableKeyRotation).toBe(true);
      const { account, region } = synthesized.environment(name);
      const logsStatements = (
        keys[keyId].Properties.KeyPolicy as { Statement: { Principal: unknown; Condition?: unknown }[] }
      ).Statement.filter((statement) => JSON.stringify(statement.Principal).includes('logs.'));
      expect(logsStatements.map((statement) => statement.Condition)).toEqual([
        {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/*`,
          },
        },
      ]);
    }
    // The provider functions' log groups exist before any custom resource invokes a provider function.
    const logGroupIds = Object.entries(resourcesOfType(template(), 'AWS::Logs::LogGroup'))
      .filter(([, { Properties }]) => JSON.stringify(Properties.LogGroupName).includes('/aws/lambda/'))
      .map(([id]) => id)
      .sort();
    const customResources = Object.entries(template().toJSON().Resources as Record<string, { Type: string }>).filter(
      ([, resource]) => resource.Type.startsWith('Custom::'),
    );
    expect(customResources.length).toBeGreaterThan(0);
    for (const [, resource] of customResources) {
      expect((resource as { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining(logGroupIds));
    }
    const handler = Object.entries(functions).find(([id]) => id.includes('KubectlProviderHandler'));
    expect(handler?.[1].Properties.LoggingConfig).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'ERROR',
      SystemLogLevel: 'WARN',
    });
  });

  test('repository credentials are read from the contract secret at deploy time; the template holds no value', () => {
    const naming = synthesized.naming(name);
    const [reader] = Object.values(resourcesOfType(template(), 'Custom::AWS'));
    expect(JSON.stringify(reader.Properties.Update)).toContain(
      `\\"SecretId\\":\\"${naming.gitopsRepositorySecretName}\\"`,
    );
    const secretManifest = Object.values(resourcesOfType(template(), 'Custom::AWSCDK-EKS-KubernetesResource'))
      .map(({ Properties }) => JSON.stringify(Properties.Manifest))
      .find((manifest) => manifest.includes('argocd.argoproj.io/secret-type'));
    expect(secretManifest).toContain('SecretString');
    expect(secretManifest).not.toMatch(/password\\\\":/);
  });
});
