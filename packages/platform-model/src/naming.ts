import { dnsSuffixOf, partitionOf } from './aws-facts';
import type { Environment, Organization, Service } from './schema';

/**
 * The naming contract: every name that crosses from the AWS half to the Kubernetes half, or into
 * AWS, is derived here and nowhere else. Both halves import it; neither spells a name itself.
 */

/** A Kubernetes service account, the unit a workload identity binds to. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** Platform add-ons that get an AWS identity, with the service account the identity is bound to. */
export const ADDON_SERVICE_ACCOUNTS = {
  externalSecrets: { namespace: 'external-secrets', name: 'external-secrets' },
  loadBalancerController: { namespace: 'kube-system', name: 'aws-load-balancer-controller' },
  karpenter: { namespace: 'karpenter', name: 'karpenter' },
  ebsCsiDriver: { namespace: 'kube-system', name: 'ebs-csi-controller-sa' },
  velero: { namespace: 'velero', name: 'velero' },
  /** Fluent Bit, which ships container and node logs to the environment's log groups (`logGroupNames`). */
  logCollector: { namespace: 'logging', name: 'fluent-bit' },
  /** The OpenTelemetry Collector, which receives the services' traces over OTLP and sends them to AWS X-Ray. */
  traceCollector: { namespace: 'tracing', name: 'opentelemetry-collector' },
  externalDns: { namespace: 'external-dns', name: 'external-dns' },
} as const satisfies Record<string, ServiceAccountRef>;

export type AddonWithIdentity = keyof typeof ADDON_SERVICE_ACCOUNTS;

/** Namespaces of the platform's own components. */
export const PLATFORM_NAMESPACES = {
  argocd: 'argocd',
  externalSecrets: 'external-secrets',
  externalDns: 'external-dns',
  karpenter: 'karpenter',
  kyverno: 'kyverno',
  monitoring: 'monitoring',
  kubeSystem: 'kube-system',
  velero: 'velero',
  logging: 'logging',
  tracing: 'tracing',
} as const;

/** The Argo CD Application the AWS half installs; it syncs the environment's app-of-apps folder. */
export const GITOPS_ROOT_APPLICATION = 'platform-root';

/**
 * The Argo CD AppProject of the root Application, which the AWS half creates before it. The Kubernetes half
 * ships no AppProject of this name: the root Application would take it over and widen or break it.
 */
export const GITOPS_ROOT_PROJECT = 'platform-root';

/** Prefix of the branches Argo CD of an environment tracks by default after the first: `deploy/<env>`. */
export const GITOPS_DEPLOY_BRANCH_PREFIX = 'deploy/';

/**
 * The branch of this repository an environment's Argo CD tracks when it is not the first (the default of
 * `environments[].gitops.targetRevision`, delivery.ts `gitopsTargetRevision`): `deploy/<env>`, which the deploy
 * workflow fast-forwards to the deployed commit once the environment's `cdk deploy` succeeded.
 */
export function gitopsDeployBranch(environmentName: string): string {
  return `${GITOPS_DEPLOY_BRANCH_PREFIX}${environmentName}`;
}

/** Tag key by which Karpenter discovers subnets and security groups. */
export const KARPENTER_DISCOVERY_TAG_KEY = 'karpenter.sh/discovery';

/**
 * Tag key the AWS Load Balancer Controller puts on the edge load balancer and its target groups (the Ingresses'
 * `alb.ingress.kubernetes.io/tags`), by which the edge alarms' Metrics Insights queries find them: letters only, so
 * a query names it without quoting (`tag.platformEdge`).
 */
export const EDGE_LOAD_BALANCER_TAG_KEY = 'platformEdge';

/** Keys of the connection facts published as SSM parameters for a service. */
export const CONNECTION_PARAMETERS = {
  postgres: ['host', 'port', 'database'],
  redis: ['host', 'port'],
} as const;

export type DataStore = keyof typeof CONNECTION_PARAMETERS;

/**
 * How a service authenticates to each of its data stores. `iam`: PostgreSQL as the service's own database user
 * (`databaseUserName`) with a 15-minute IAM authentication token its workload identity signs (`rds-db:connect`), no
 * password; the generated master credentials are for break-glass only and no workload reads them. `auth-token`:
 * Valkey with the generated auth token from `credentialsSecretName`, which the service's ExternalSecret reads.
 */
export const DATA_STORE_AUTHENTICATION = { postgres: 'iam', redis: 'auth-token' } as const satisfies Record<
  DataStore,
  'iam' | 'auth-token'
>;

/** The data stores a service reads a credentials secret of: those that authenticate with a generated secret. */
export function storesWithCredentials(stores: readonly DataStore[]): DataStore[] {
  return stores.filter((store) => DATA_STORE_AUTHENTICATION[store] === 'auth-token');
}

/** JSON keys of a data store's generated credentials secret (`credentialsSecretName`). */
export const CREDENTIALS_SECRET_KEYS = ['username', 'password'] as const;

/**
 * Alertmanager's receivers that need a credential, each kept in a Secrets Manager secret of its own whose name the
 * model gives (`environments[].alerting.receivers`, below `secretPrefix`). The secret holds the bare value, no JSON.
 */
export const ALERT_RECEIVERS = {
  pagerDuty: {
    field: 'routingKeySecret',
    holds: 'the PagerDuty Events API v2 routing key (integration key) of the service that pages the on-call',
  },
  ticketWebhook: { field: 'urlSecret', holds: "the HTTPS URL of the ticketing system's webhook" },
  deadMansSwitch: {
    field: 'urlSecret',
    holds: "the HTTPS heartbeat URL of the dead man's switch, which alerts when Alertmanager stops calling it",
  },
} as const;

export type AlertReceiver = keyof typeof ALERT_RECEIVERS;

/** One configured receiver's secret, as `EnvironmentNaming.alertReceiverSecrets` lists them. */
export interface AlertReceiverSecret {
  readonly receiver: AlertReceiver;
  /** Full Secrets Manager name: `secretPrefix` followed by the model's path. */
  readonly secretName: string;
  /** What the on-call team puts into the secret. */
  readonly holds: string;
}

/** Port each data store listens on: the AWS half opens it, the Kubernetes half allows egress to it. */
export const DATA_STORE_PORTS = {
  postgres: 5432,
  redis: 6379,
} as const satisfies Record<DataStore, number>;

/** The service's container repository in the shared registry. */
export function ecrRepositoryName(organization: Organization, serviceName: string): string {
  return `${organization.name}/${serviceName}`;
}

/** The shared ECR registry's host, e.g. `444444444444.dkr.ecr.us-east-1.amazonaws.com` (`.amazonaws.com.cn` in China). */
export function registryHost(organization: Organization): string {
  const { account, region } = organization.sharedServices;
  return `${account}.dkr.ecr.${region}.${dnsSuffixOf(region)}`;
}

/**
 * The image a service runs: its repository in the shared registry at the model's tag, pinned to a digest when the
 * model gives one (`<repository>:<tag>@sha256:<hex>`: the container runtime pulls by the digest, and the tag keeps
 * the image from expiring in ECR).
 */
export function imageUri(organization: Organization, service: Service): string {
  return `${registryHost(organization)}/${ecrRepositoryName(organization, service.name)}:${service.image.tag}`;
}

/**
 * The role this repository's workflows (`organization.ci`) assume to push the images of the services that name no
 * repository of their own (ci-push-identity.ts).
 */
export function ciImagePushRoleName(organization: Organization): string {
  return `${organization.name}-ci-image-push`;
}

/**
 * The role a service's own repository (`services[].ci`) assumes to push that service's images, and only its
 * (ci-push-identity.ts). At most 64 characters (IAM); the validator checks it (name-rules.ts).
 */
export function ciServiceImagePushRoleName(organization: Organization, serviceName: string): string {
  return `${organization.name}-ci-push-${serviceName}`;
}

/**
 * How long, in seconds, a session of a CI role lasts: the IAM roles' `MaxSessionDuration` and the workflows'
 * `role-duration-seconds` alike. Two hours, because a `cdk deploy` of a cluster stack, or a multi-arch build
 * under QEMU, outlasts IAM's default of one hour (AssumeRoleWithWebIdentity refuses a longer request than the
 * role's maximum).
 */
export const CI_SESSION_SECONDS = 2 * 60 * 60;

/** The role the deploy workflow assumes to deploy the shared-services stack (ci-deploy-identity.ts). */
export function sharedServicesDeployRoleName(organization: Organization): string {
  return `${organization.name}-shared-services-ci-deploy`;
}

/** ARN of an IAM role by name in an account, in the partition of `region` (aws-facts.ts `partitionOf`). */
export function roleArn(account: string, region: string, roleName: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`;
}

/** The namespace of a service: its team's. */
export function serviceNamespace(service: Service): string {
  return service.team;
}

export function serviceAccountOf(service: Service): ServiceAccountRef {
  return { namespace: serviceNamespace(service), name: service.name };
}

/** Names of one environment's resources. */
export class EnvironmentNaming {
  /** Prefix of every AWS resource name of the environment, and the EKS cluster's name. */
  public readonly prefix: string;

  public constructor(
    private readonly organization: Organization,
    private readonly environment: Environment,
  ) {
    this.prefix = `${organization.name}-${environment.name}`;
  }

  public get clusterName(): string {
    return this.prefix;
  }

  public get karpenterDiscoveryTag(): { readonly key: string; readonly value: string } {
    return { key: KARPENTER_DISCOVERY_TAG_KEY, value: this.clusterName };
  }

  /** The tag of the environment's edge load balancer and target groups: the cluster name, unique per account and region. */
  public get edgeLoadBalancerTag(): { readonly key: string; readonly value: string } {
    return { key: EDGE_LOAD_BALANCER_TAG_KEY, value: this.clusterName };
  }

  /** IAM role a service's pods assume. */
  public workloadRoleName(serviceName: string): string {
    return `${this.prefix}-${serviceName}`;
  }

  /**
   * IAM role the External Secrets controller assumes for the SecretStores of one platform namespace (`secretReaders`:
   * monitoring, for the Alertmanager receivers' secrets): it reads that namespace's secrets and nothing else.
   */
  public secretReaderRoleName(namespace: string): string {
    return `${this.prefix}-secrets-${namespace}`;
  }

  /** ARN of `secretReaderRoleName` in the environment's account, in its region's partition (aws-facts.ts `partitionOf`). */
  public secretReaderRoleArn(namespace: string): string {
    return roleArn(this.environment.account, this.environment.region, this.secretReaderRoleName(namespace));
  }

  /**
   * IAM path of the services' secret reader roles, `/<prefix>/secret-readers/`: only those roles have it, so the
   * External Secrets controller may assume them by one ARN pattern (`serviceSecretReaderArnPattern`) that matches no
   * other role, whatever the services are named. A path does not count towards the 64 characters of a role name.
   */
  public get serviceSecretReaderPath(): string {
    return `/${this.prefix}/secret-readers/`;
  }

  /**
   * IAM role the External Secrets controller assumes for the SecretStores of one service (`secretReaders`), in the
   * service's stack: it reads that service's credentials and connection parameters and nothing else.
   * `<prefix>-sr-<service>`: `sr` (secret reader) keeps it apart from the service's workload role `<prefix>-<service>`
   * and from the platform readers `<prefix>-secrets-<namespace>`, and costs the service name budget three characters.
   */
  public serviceSecretReaderRoleName(serviceName: string): string {
    return `${this.prefix}-sr-${serviceName}`;
  }

  /** ARN of `serviceSecretReaderRoleName`, with its path (`serviceSecretReaderPath`). */
  public serviceSecretReaderRoleArn(serviceName: string): string {
    return roleArn(
      this.environment.account,
      this.environment.region,
      `${this.serviceSecretReaderPath.slice(1)}${this.serviceSecretReaderRoleName(serviceName)}`,
    );
  }

  /** ARN pattern of every `serviceSecretReaderRoleArn` of the environment, and of no other role. */
  public get serviceSecretReaderArnPattern(): string {
    return roleArn(this.environment.account, this.environment.region, `${this.serviceSecretReaderPath.slice(1)}*`);
  }

  /** ARN of the role of a platform add-on (`addonRoleName`). */
  public addonRoleArn(addon: AddonWithIdentity): string {
    return roleArn(this.environment.account, this.environment.region, this.addonRoleName(addon));
  }

  /** IAM role the deploy workflow assumes, in the environment's GitHub Environment, to deploy its stacks. */
  public get ciDeployRoleName(): string {
    return `${this.prefix}-ci-deploy`;
  }

  /** ARN of `ciDeployRoleName` in the environment's account. */
  public get ciDeployRoleArn(): string {
    return roleArn(this.environment.account, this.environment.region, this.ciDeployRoleName);
  }

  /**
   * IAM role the deploy workflow's plan job assumes, in the environment's plan GitHub Environment
   * (delivery.ts `planGithubEnvironment`), to run `cdk diff`: it may assume the CDK lookup role only (ci-plan-identity.ts).
   */
  public get ciPlanRoleName(): string {
    return `${this.prefix}-ci-plan`;
  }

  /** ARN of `ciPlanRoleName` in the environment's account. */
  public get ciPlanRoleArn(): string {
    return roleArn(this.environment.account, this.environment.region, this.ciPlanRoleName);
  }

  /** IAM role people of a team assume to edit the team's namespace (people-access.ts). */
  public teamAccessRoleName(team: string): string {
    return `${this.prefix}-people-${team}`;
  }

  /** IAM role people assume to view the whole cluster (people-access.ts). */
  public get readOnlyAccessRoleName(): string {
    return `${this.prefix}-people-read-only`;
  }

  /** `Name` tag of the break-glass instance, by which the runbook finds it (people-access.ts). */
  public get breakGlassBastionName(): string {
    return `${this.prefix}-break-glass`;
  }

  /** IAM role a platform add-on's pods assume. */
  public addonRoleName(addon: AddonWithIdentity): string {
    return `${this.prefix}-${kebab(addon)}`;
  }

  /**
   * The owner ID external-dns writes into the ownership record of each edge record it keeps (`--txt-owner-id`,
   * dns-records.ts): the cluster's name, one per environment, so the external-dns of another cluster (of this
   * organization or another) never changes or deletes this environment's records, even in a zone they share.
   */
  public get dnsRecordOwnerId(): string {
    return this.clusterName;
  }

  /** `Name` tag of the VPC, by which the AWS Load Balancer Controller finds it without the instance metadata service. */
  public get vpcName(): string {
    return `${this.prefix}-vpc`;
  }

  public get karpenterNodeRoleName(): string {
    return `${this.prefix}-karpenter-node`;
  }

  public get karpenterInterruptionQueueName(): string {
    return `${this.prefix}-karpenter-interruption`;
  }

  /**
   * The S3 bucket Velero writes the environment's backups to: `<prefix>-backups-<account>`. Bucket names are global
   * across accounts, hence the account; at most 63 characters (name-rules.ts checks it).
   */
  public get backupBucketName(): string {
    return `${this.prefix}-backups-${this.environment.account}`;
  }

  public queueName(queue: string): string {
    return `${this.prefix}-${queue}`;
  }

  public deadLetterQueueName(queue: string): string {
    return `${this.queueName(queue)}-dlq`;
  }

  /** The URL services send to and receive from (`amazonaws.com.cn` in China: aws-facts.ts `dnsSuffixOf`). */
  public queueUrl(queue: string): string {
    const { region, account } = this.environment;
    return `https://sqs.${region}.${dnsSuffixOf(region)}/${account}/${this.queueName(queue)}`;
  }

  /** The queue's ARN, in the partition of the environment's region (aws-facts.ts `partitionOf`). */
  public queueArn(queue: string): string {
    const { region, account } = this.environment;
    return `arn:${partitionOf(region)}:sqs:${region}:${account}:${this.queueName(queue)}`;
  }

  /** Secrets Manager prefix of the environment; External Secrets may read below it only. */
  public get secretPrefix(): string {
    return `${this.organization.name}/${this.environment.name}/`;
  }

  /** SSM parameter prefix of the environment; External Secrets may read below it only. */
  public get parameterPrefix(): string {
    return `/${this.organization.name}/${this.environment.name}/`;
  }

  /** Generated credentials (username, password) of a data store of a service. */
  public credentialsSecretName(serviceName: string, store: DataStore): string {
    return `${this.secretPrefix}${serviceName}/${store}`;
  }

  /** SSM parameter holding one connection fact of a service's data store. */
  public connectionParameterName(serviceName: string, store: DataStore, key: string): string {
    return `${this.parameterPrefix}${serviceName}/${store}/${key}`;
  }

  /** Credentials Argo CD uses to read the GitOps repository. */
  public get gitopsRepositorySecretName(): string {
    return `${this.secretPrefix}argocd/repository`;
  }

  /**
   * The secrets of the receivers the environment configures, in the order of `ALERT_RECEIVERS`; a receiver the
   * model leaves out (the pager is optional) has none.
   */
  public get alertReceiverSecrets(): AlertReceiverSecret[] {
    const configured: Partial<Record<AlertReceiver, Record<string, string>>> = this.environment.alerting.receivers;
    return (Object.keys(ALERT_RECEIVERS) as AlertReceiver[]).flatMap((receiver) => {
      const path = configured[receiver]?.[ALERT_RECEIVERS[receiver].field];
      return path === undefined
        ? []
        : [{ receiver, secretName: `${this.secretPrefix}${path}`, holds: ALERT_RECEIVERS[receiver].holds }];
    });
  }

  /**
   * Prefix of the CloudWatch Logs groups the log collector writes to, `/<org>/<env>/`: the key that encrypts them
   * admits log groups below it only.
   */
  public get logGroupPrefix(): string {
    return `/${this.organization.name}/${this.environment.name}/`;
  }

  /** Log group of every container's output in the cluster, with its pod's Kubernetes metadata. */
  public get containerLogGroupName(): string {
    return `${this.logGroupPrefix}containers`;
  }

  /** Log group of the nodes' own services (kubelet, containerd) from the systemd journal. */
  public get nodeLogGroupName(): string {
    return `${this.logGroupPrefix}nodes`;
  }

  /** Every log group the log collector writes to: its role may write to these and no other. */
  public get logGroupNames(): readonly string[] {
    return [this.containerLogGroupName, this.nodeLogGroupName];
  }

  /** Identifier of a service's RDS instance (also the prefix of its log groups). */
  public databaseInstanceIdentifier(serviceName: string): string {
    return `${this.prefix}-${serviceName}`;
  }

  /** ID of a service's ElastiCache replication group. */
  public cacheReplicationGroupId(serviceName: string): string {
    return `${this.prefix}-${serviceName}`;
  }

  /**
   * Name of a service's PostgreSQL database, which is also the name of the instance's master user (break-glass only).
   */
  public databaseName(serviceName: string): string {
    return serviceName.replace(/-/g, '_');
  }

  /**
   * The PostgreSQL user a service connects as, with IAM authentication (`<database>_<environment>`): it owns the
   * service's database and its `public` schema. Distinct from the master user (`databaseName`), whose password
   * rotation thus never touches it; unique in the account even when environments share one, since the workload role
   * may connect as this user to any instance of its account and region (`rds-db:connect` on `dbuser:*`/<user>).
   */
  public databaseUserName(serviceName: string): string {
    return `${this.databaseName(serviceName)}_${this.environment.name.replace(/-/g, '_')}`;
  }
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
