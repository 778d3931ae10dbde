import { z } from 'zod';
import { BACKUP_INTERVAL_HOURS, BACKUP_RETENTION_DAYS_RANGE } from './backup-schedules';
import { OIDC_SUBJECT_TEMPLATES, type OidcSubjectTemplate } from './delivery';
import { SUPPORTED_KUBERNETES_VERSIONS } from './kubernetes-versions';

/**
 * The shape of the platform model. Field rules that need only the field itself live here;
 * rules across fields and across environments live in validate.ts.
 */

/**
 * A DNS label of at most 32 characters without two hyphens in a row: ECR repository names (`<org>/<service>`) and
 * ElastiCache IDs (`<org>-<env>-<service>`) refuse `--`, and both are derived from these names.
 */
const DNS_LABEL = /^(?=.{1,32}$)[a-z](-?[a-z0-9])*$/;
const dnsLabel = (what: string) =>
  z.string().regex(DNS_LABEL, {
    error: `${what} must be a DNS label: lowercase letters and digits, single '-' between them, starting with a letter, at most 32 characters`,
  });

/**
 * A Git branch name as `git check-ref-format --branch` accepts it, narrowed to letters, digits, `_ . - /` (so that it
 * needs no quoting in a shell, a URL or YAML): no empty segment, no segment starting with `.` or `-` or ending in
 * `.` or `.lock`, no `..`; not `HEAD`, and not 40 hex digits, which Argo CD would read as a commit.
 */
const GIT_BRANCH =
  /^(?=.{1,255}$)(?!HEAD$)(?![0-9a-f]{40}$)(?!.*\.\.)(?!.*\.lock(\/|$))(?!.*\.(\/|$))[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

const accountId = z.string().regex(/^\d{12}$/, { error: 'AWS account id must be exactly 12 digits' });
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'must be an AWS region such as us-east-1' });
const cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: 'must be an IPv4 CIDR such as 10.0.0.0/16' });
const positiveInt = z.number().int().positive();
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, {
  error: "must be a Kubernetes quantity such as '250m', '1', '512Mi' or '2Gi'",
});
const httpPath = z
  .string()
  .regex(/^\/[-a-zA-Z0-9_./]*$/, { error: "must be an absolute HTTP path such as '/healthz'" });
const port = z
  .number()
  .int({ error: 'port must be a whole number' })
  .min(1, { error: 'port must be between 1 and 65535' })
  .max(65535, { error: 'port must be between 1 and 65535' });
/**
 * Path prefix of an edge route: '/' or '/'-separated segments, no trailing '/'. At most 126 characters: the
 * AWS Load Balancer Controller turns a Prefix path p into the ALB path patterns p and p/*, each at most 128.
 */
const edgePath = z
  .string()
  .max(126, { error: 'an edge path has at most 126 characters' })
  .regex(/^\/([A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*)?$/, {
    error:
      "must be '/' or an absolute path such as '/orders' or '/api/v1' (segments of letters, digits, _ . -; no trailing '/')",
  });
/** A lowercase DNS name of two labels or more, without the trailing dot. */
const dnsName = z
  .string()
  .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, { error: 'must be a lowercase DNS name such as api.example.com' });
const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, { error: 'must be an ARN' });

export const NodeGroupSchema = z.strictObject({
  instanceTypes: z.array(z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, { error: 'must be an EC2 instance type' })).min(1),
  minSize: z.number().int().min(0),
  desiredSize: z.number().int().min(0),
  maxSize: positiveInt,
});

/**
 * Name of a Secrets Manager secret below the environment's prefix `<org>/<env>/` (External Secrets may read
 * there only): the characters Secrets Manager allows in a name, segments separated by single slashes.
 */
const secretPath = z.string().regex(/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/, {
  error:
    "must be a secret name below the environment's prefix, such as 'monitoring/alertmanager/pagerduty-routing-key': letters, digits and _+=.@- in segments separated by single '/'",
});

/**
 * IAM principals that may assume one of the environment's people roles (people-access.ts): role ARNs of the
 * environment's account, matched with IAM's ArnLike (`*` and `?`), so an IAM Identity Center role, whose name ends
 * in a random suffix, is named as `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<set>_*`.
 * arn-rules.ts checks partition, account and that the pattern names a role.
 */
const principalPatterns = z.array(arn).min(1, { error: 'needs at least one principal; leave the entry out instead' });

/**
 * How people reach the environment's cluster (people-access.ts). Per team a role whose EKS access entry edits the
 * team's namespace only, one role that views the whole cluster, and the admin role (`cluster.adminRoleArn`) stays the
 * platform team's. A role exists only for principals the model names.
 */
export const AccessSchema = z.strictObject({
  /** Per team name: who may assume the team's role (edit in the team's namespace). @default no team role */
  teams: z.record(z.string().describe('team'), principalPatterns).optional(),
  /** Who may assume the cluster-wide read-only role. @default no read-only role */
  readOnly: principalPatterns.optional(),
  /**
   * A minimal instance in a private subnet, reached through SSM Session Manager port forwarding, through which
   * people reach a private API endpoint (docs/cluster-access.md). @default false
   */
  breakGlassBastion: z.boolean().optional(),
});

/**
 * Where an environment's alerts go. CloudWatch alarms notify the SNS topic `alarmTopicName`, which delivers to
 * `alarmSubscriptions`; Alertmanager pages, opens tickets and sends its heartbeat through the receivers, each of
 * which reads its credential from the Secrets Manager secret named here. Git holds the names, never the values.
 */
export const AlertingSchema = z.strictObject({
  /** Addresses the alarm topic delivers to: e-mail addresses or HTTPS endpoints (addresses, not credentials). */
  alarmSubscriptions: z
    .array(z.strictObject({ protocol: z.enum(['email', 'https']), endpoint: z.string() }))
    .min(1, { error: 'needs at least one subscription; without one, CloudWatch alarms reach nobody' }),
  receivers: z.strictObject({
    /** Critical alerts page through PagerDuty (Events API v2). Without it, critical alerts open tickets. */
    pagerDuty: z.strictObject({ routingKeySecret: secretPath }).optional(),
    /** Warnings (and critical alerts when there is no pager) are POSTed to the ticketing system's webhook. */
    ticketWebhook: z.strictObject({ urlSecret: secretPath }),
    /** The always-firing Watchdog alert is POSTed here about once a minute; the service alerts when it stops. */
    deadMansSwitch: z.strictObject({ urlSecret: secretPath }),
  }),
});

/** A percentage above 0, at most 100. */
const percent = z.number().gt(0, { error: 'must be above 0' }).max(100, { error: 'must be at most 100' });

/** A number of events per minute: a whole number, at least 1. */
const countPerMinute = z
  .number()
  .int({ error: 'must be a whole number of responses per minute' })
  .min(1, { error: 'must be at least 1' });

/**
 * Thresholds of the environment's CloudWatch alarms (alarm-thresholds.ts gives each default and its reason). Every
 * field is optional; a field left out takes its default.
 */
export const AlarmThresholdsSchema = z.strictObject({
  /** The alarms of each service's PostgreSQL instance. */
  database: z
    .strictObject({
      /** Average CPU of the instance per 5-minute period, percent, in 3 consecutive periods. @default 80 */
      cpuPercent: percent.optional(),
      /**
       * Free storage below this many GiB. @default 5% of `database.allocatedStorageGiB` rounded up to a whole GiB, at
       * least 1
       */
      freeStorageGiB: z.number().positive({ error: 'must be above 0' }).optional(),
      /** Connections above this share of `maxConnections`, percent. @default 80 */
      connectionsPercent: percent.optional(),
      /**
       * PostgreSQL's `max_connections` of the instance class. @default RDS's default for the class's memory
       * (alarm-thresholds.ts `postgresMaxConnections`); required for a class whose memory the model does not know
       */
      maxConnections: z.number().int().positive().optional(),
    })
    .optional(),
  /** The alarms of each service's Valkey cache. */
  cache: z
    .strictObject({
      /** Used share of the memory Valkey may use, percent. @default 80 */
      memoryPercent: percent.optional(),
      /** CPU of the Valkey engine thread, percent. @default 90 */
      engineCpuPercent: percent.optional(),
      /** Keys evicted per 5 minutes, sustained for 15 minutes, above which the cache is too small. @default 0 */
      evictionsPer5Minutes: z.number().int().min(0).optional(),
      /** Seconds a replica lags behind the primary (caches with replicas). @default 30 */
      replicationLagSeconds: z.number().positive({ error: 'must be above 0' }).optional(),
    })
    .optional(),
  /** The alarms of the edge load balancer that the AWS Load Balancer Controller creates. */
  loadBalancer: z
    .strictObject({
      /** 5xx responses the load balancer itself returns per minute, in 3 of 5 minutes, above which it alarms. @default 5 */
      elb5xxPerMinute: countPerMinute.optional(),
      /** 5xx responses of its targets per minute, in 3 of 5 minutes, above which it alarms. @default 25 */
      target5xxPerMinute: countPerMinute.optional(),
      /**
       * Whether the environment's cluster stack turns on CloudWatch's resource tags for telemetry in its account and
       * region (one setting per account and region, which the load balancer alarms' queries need): `create`, or
       * `existing` where it is on already. @default `create` for the first environment of its account and region
       */
      resourceTagsForTelemetry: z.enum(['create', 'existing']).optional(),
    })
    .optional(),
});

/** Hours between two backups: a divisor of 24, so that the backups fall at the same hours every day. */
const backupInterval = z.number().refine((hours) => (BACKUP_INTERVAL_HOURS as readonly number[]).includes(hours), {
  error: (issue) =>
    `must be a number of hours that divides a day: one of ${BACKUP_INTERVAL_HOURS.join(', ')} (got ${JSON.stringify(issue.input)})`,
});

/**
 * The Velero backups of the environment's cluster (docs/backup-and-restore.md): Kubernetes objects into the
 * environment's backup bucket, volumes as EBS snapshots. Every field is optional; backup-schedules.ts
 * `backupSettings` fills in the defaults.
 */
export const BackupSchema = z.strictObject({
  /**
   * Hours between two backups of each team namespace (objects and volumes): the recovery point objective of the
   * teams' services. @default 2
   */
  teamNamespacesEveryHours: backupInterval.optional(),
  /** Hours between two backups of the whole cluster, every namespace and the cluster-scoped objects. @default 24 */
  clusterEveryHours: backupInterval.optional(),
  /**
   * Days a backup is kept (Velero's TTL); the bucket's lifecycle removes what is left a day later.
   * @default 30
   */
  retentionDays: z
    .number()
    .int({ error: 'must be a whole number of days' })
    .min(BACKUP_RETENTION_DAYS_RANGE.min, {
      error: `must be between ${BACKUP_RETENTION_DAYS_RANGE.min} and ${BACKUP_RETENTION_DAYS_RANGE.max} days`,
    })
    .max(BACKUP_RETENTION_DAYS_RANGE.max, {
      error: `must be between ${BACKUP_RETENTION_DAYS_RANGE.min} and ${BACKUP_RETENTION_DAYS_RANGE.max} days`,
    })
    .optional(),
});

/**
 * What the environment's collectors keep of the cluster's logs and the services' traces (docs/observability.md).
 * Every field is optional; `observabilityOf` (observability.ts) fills in the defaults.
 */
export const ObservabilitySchema = z.strictObject({
  logs: z
    .strictObject({
      /**
       * Days CloudWatch Logs keeps the container and node logs: one of its periods (CLOUDWATCH_LOGS_RETENTION_DAYS in
       * aws-facts.ts). @default 30
       */
      retentionDays: positiveInt.optional(),
    })
    .optional(),
  traces: z
    .strictObject({
      /**
       * Fraction of new traces the services record (parent-based trace ID ratio sampling: a call inside a sampled
       * trace is always recorded), 0 (none) to 1 (all). @default 0.1
       */
      samplingRatio: z
        .number({ error: 'must be a number from 0 (no traces) to 1 (every trace)' })
        .min(0, { error: 'must be from 0 (no traces) to 1 (every trace)' })
        .max(1, { error: 'must be from 0 (no traces) to 1 (every trace); a fraction, not a percentage' })
        .optional(),
    })
    .optional(),
});

export const EnvironmentSchema = z.strictObject({
  name: dnsLabel('environment name'),
  /** AWS account the environment is deployed to. */
  account: accountId,
  region,
  /** Exactly three availability zones of the region; their context is committed in cdk.json. */
  availabilityZones: z.array(z.string()),
  network: z.strictObject({
    vpcCidr: cidr,
    /** Prefix length of each tier's subnet, one subnet per AZ. */
    subnetPrefixes: z.strictObject({
      public: z.number().int().min(16).max(28),
      private: z.number().int().min(16).max(28),
      isolated: z.number().int().min(16).max(28),
    }),
    natGateways: z.enum(['one-per-az', 'single']),
    /** Interface endpoints for ECR, STS, SQS, Secrets Manager, CloudWatch Logs and X-Ray. */
    interfaceEndpoints: z.boolean(),
    /** Days CloudWatch Logs keeps the flow logs: one of its periods (CLOUDWATCH_LOGS_RETENTION_DAYS in aws-facts.ts). */
    flowLogRetentionDays: positiveInt,
  }),
  cluster: z.strictObject({
    kubernetesVersion: z.string().refine((v) => SUPPORTED_KUBERNETES_VERSIONS.includes(v), {
      error: (issue) =>
        `unknown Kubernetes version '${String(issue.input)}'; allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    }),
    /** Who may reach the API server: the VPC only, or the VPC plus these public CIDRs. */
    endpointAccess: z.discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('private') }),
      z.strictObject({ mode: z.literal('public-and-private'), publicCidrs: z.array(cidr).min(1) }),
    ]),
    /** IAM role of the environment's account (`arn:aws:iam::<account>:role/…`, no region) that gets cluster-admin through an access entry. */
    adminRoleArn: arn,
    /** EKS refuses to delete the cluster (and so a stack deletion fails) until this is turned off. */
    deletionProtection: z.boolean(),
    nodeGroups: z.strictObject({ system: NodeGroupSchema, general: NodeGroupSchema, spot: NodeGroupSchema }),
    /** Ceiling of what Karpenter may provision in this environment. */
    karpenterLimits: z.strictObject({ cpu: positiveInt, memoryGiB: positiveInt }),
    /**
     * EKS AL2023 AMI release the Karpenter nodes run (`al2023@<release>`). Pinned, so nodes change only
     * when this changes; promote a new release environment by environment.
     */
    karpenterAmiRelease: z.string().regex(/^v\d{8}$/, {
      error: "must be an EKS AMI release such as 'v20260903' (not 'latest': nodes would change unreviewed)",
    }),
  }),
  database: z.strictObject({
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'must be an RDS class such as db.t4g.medium' }),
    allocatedStorageGiB: z.number().int().min(20),
    maxAllocatedStorageGiB: z.number().int().min(20),
    multiAz: z.boolean(),
    deletionProtection: z.boolean(),
    backupRetentionDays: z.number().int().min(1).max(35),
    /**
     * Copies each instance's automated backups (snapshots and transaction logs) to a second region, where they
     * can be restored to a point in time if the environment's region is lost. The key is a KMS key of the
     * environment's account in that region (`arn:aws:kms:<region>:<account>:key/…`), created outside the stacks.
     */
    backupReplication: z.strictObject({ region, kmsKeyArn: arn }).optional(),
  }),
  cache: z.strictObject({
    nodeType: z
      .string()
      .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'must be a node type such as cache.t4g.small' }),
    replicas: z.number().int().min(0).max(5),
    snapshotRetentionDays: z.number().int().min(0).max(35),
  }),
  /**
   * What happens to the environment's stateful resources (databases, caches, queues and their credentials) when
   * their stack is deleted or their service or queue leaves the model: `snapshot` takes a final snapshot of each
   * database and cache and deletes them, their queues and cache tokens; `retain` leaves every one of them in the
   * account, outside the stack. Database master secrets, keys and log groups are kept in either case.
   */
  removalPolicy: z.enum(['snapshot', 'retain']),
  /** What the admission policies do with a violation. */
  policyMode: z.enum(['Audit', 'Deny']),
  gitops: z.strictObject({
    repoUrl: z.string().regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, { error: 'must be an https:// or ssh Git URL' }),
    /**
     * The branch of `repoUrl` Argo CD syncs the environment from. Best left out: the first environment tracks the
     * protected branch (`organization.ci.branch`), each later one `deploy/<name>`, which the deploy workflow
     * fast-forwards to the deployed commit after the environment's `cdk deploy` (delivery.ts `gitopsTargetRevision`).
     * When given: a branch name (no tag or commit, which the workflow could not advance), the protected branch only
     * for the first environment, and no two environments the same (gitops-rules.ts).
     * @default `organization.ci.branch` for the first environment, `deploy/<name>` for the others
     */
    targetRevision: z
      .string()
      .regex(GIT_BRANCH, {
        error:
          "must be a branch name such as 'deploy/prod': segments of letters, digits, _ . - separated by '/', each starting with a letter, digit or _, none ending in '.' or '.lock', no '..', not 'HEAD' nor a commit hash",
      })
      .optional(),
    /**
     * Folder of the app-of-apps inside the repository: the folder `pnpm synth` writes the environment to,
     * `dist/<name>` (dist-layout.ts `environmentFolder`), so best left out; when given, it must be that folder.
     * @default `dist/<name>`, filled in by the validator
     */
    path: z
      .string()
      .regex(/^[a-z0-9][-a-z0-9_./]*$/, { error: "must be a relative path such as 'dist/prod'" })
      .optional(),
  }),
  edge: z.strictObject({
    /** DNS name the edge services are served below: `<service>.<domain>`, or `domain` itself with a path. */
    domain: dnsName,
    /**
     * ACM certificate of the ALB, in the environment's account and region (certificates are regional), covering
     * `domain` and `*.<domain>` (the edge routes, edge-routes.ts).
     */
    certificateArn: arn,
    /**
     * The public Route 53 hosted zone, in the environment's account, that holds the edge hosts' records: external-dns
     * keeps one alias record (A and AAAA) per edge host in it, pointing at the environment's ALB (dns-records.ts).
     * Its `name` is `domain` or a parent of it (dns-rules.ts). A zone ID is a name, not a secret.
     * @default none: no external-dns in the environment, and the edge hosts' records are made by hand
     */
    hostedZone: z
      .strictObject({
        /** The zone's ID as Route 53 shows it, without `/hostedzone/`: `Z` and uppercase letters and digits. */
        id: z.string().regex(/^Z[A-Z0-9]{1,31}$/, {
          error:
            "must be a Route 53 hosted zone ID such as 'Z0123456789ABCDEFGHIJ': 'Z' followed by up to 31 uppercase letters and digits, without '/hostedzone/'",
        }),
        /** The zone's domain name, without the trailing dot: `domain` or a parent of it. */
        name: dnsName,
      })
      .optional(),
  }),
  /** SNS topic that CloudWatch alarms of this environment notify. */
  alarmTopicName: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, {
    error: 'must be an SNS topic name: 1 to 256 letters, digits, hyphens or underscores',
  }),
  /** Who hears of the environment's alarms and alerts, and where the receivers' credentials are kept. */
  alerting: AlertingSchema,
  /** Thresholds of the environment's CloudWatch alarms (AlarmThresholdsSchema). @default every threshold's default */
  alarms: AlarmThresholdsSchema.optional(),
  /** Who may reach the cluster's API, and how (AccessSchema). @default only the admin role */
  access: AccessSchema.optional(),
  /** The cluster's Velero backups (BackupSchema). @default every field's default */
  backup: BackupSchema.optional(),
  /** Retention of the collected logs and the traces' sampling (ObservabilitySchema). @default 30 days, 0.1 */
  observability: ObservabilitySchema.optional(),
  tags: z.strictObject({ owner: z.string().min(1), costCenter: z.string().min(1) }),
});

/** A GitHub account's or repository's numeric ID, as `gh api repos/<owner>/<repo> --jq '<jq>'` prints it. */
const githubId = (what: string, jq: string) => {
  const error = `must be the numeric ID of ${what}, a positive integer: gh api repos/<owner>/<repo> --jq '${jq}'`;
  return z.number({ error }).int({ error }).positive({ error });
};

/**
 * A GitHub repository and the branch whose workflows are trusted (GitHub OIDC subject
 * `repo:<githubRepository>:ref:refs/heads/<branch>`, or with GitHub's immutable subject claims
 * `repo:<owner>@<githubRepositoryOwnerId>/<repo>@<githubRepositoryId>:ref:refs/heads/<branch>`; delivery.ts
 * `subjectRepository`).
 */
const githubSource = z.strictObject({
  /** `owner/repository` on GitHub. */
  githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: "must be 'owner/repository'" }),
  /** The protected branch. */
  branch: z
    .string()
    .regex(/^[A-Za-z0-9_./-]{1,255}$/, { error: "must be a branch name such as 'main' (letters, digits, _ . / -)" }),
  /**
   * The numeric ID of the repository's owner (the OIDC token's `repository_owner_id` claim), given together with
   * `githubRepositoryId` when the repository's tokens carry GitHub's immutable subject (`owner@<id>/repo@<id>`: the
   * default of repositories created or renamed on or after 15 July 2026, or opted in). GitHub Docs, "OpenID Connect
   * reference", "Immutable subject claims".
   * @default none: the subjects name the repository `owner/repository`
   */
  githubRepositoryOwnerId: githubId("the repository's owner", '.owner.id').optional(),
  /**
   * The numeric ID of the repository (the OIDC token's `repository_id` claim), given together with
   * `githubRepositoryOwnerId`.
   * @default none
   */
  githubRepositoryId: githubId('the repository', '.id').optional(),
});

export const ServiceSchema = z.strictObject({
  name: dnsLabel('service name'),
  description: z.string().min(1),
  /** Team that owns the service; its namespace holds the service. */
  team: dnsLabel('team'),
  /** Port of the HTTP API. */
  port,
  /** Port that serves Prometheus metrics on /metrics. */
  metricsPort: port,
  health: z.strictObject({ liveness: httpPath, readiness: httpPath, startup: httpPath }),
  /**
   * Image tag in the service's ECR repository (immutable; never `latest`), optionally pinned to its digest:
   * `1.4.2` or `1.4.2@sha256:<64 hex>`. A bare digest is refused: ECR's lifecycle rules keep images by tag.
   */
  image: z.strictObject({ tag: z.string() }),
  /**
   * The service's own repository and protected branch, whose workflows (calling this repository's service image
   * workflow) build the service's image and may push it to the shared registry through GitHub OIDC.
   * @default none: only `organization.ci`'s workflows may push the service's images
   */
  ci: githubSource
    .extend({
      /**
       * The OIDC subject template the repository's tokens follow (delivery.ts OIDC_SUBJECT_TEMPLATES), set once per
       * repository (README, "Deploying"): `repo-context-job-workflow-ref` (`repo:<repo>:ref:refs/heads/<branch>:
       * job_workflow_ref:<this repository>/.github/workflows/service-image.yml@<ref>`), so the push role trusts only a
       * job that runs this repository's service image workflow; `default` (GitHub's,
       * `repo:<repo>:ref:refs/heads/<branch>`) opts out, and any workflow of the branch may push; `repo-context-ref`
       * (`…:ref:refs/heads/<branch>:ref:refs/heads/<branch>`) likewise.
       * @default 'repo-context-job-workflow-ref'
       */
      oidcSubject: z
        .enum(Object.keys(OIDC_SUBJECT_TEMPLATES) as [OidcSubjectTemplate, ...OidcSubjectTemplate[]])
        .optional(),
    })
    .optional(),
  resources: z.strictObject({
    requests: z.strictObject({ cpu: quantity, memory: quantity }),
    limits: z.strictObject({ memory: quantity, cpu: quantity.optional() }),
  }),
  replicas: z.strictObject({ min: positiveInt, max: positiveInt }),
  autoscaling: z.strictObject({
    cpuUtilization: z.number().int().min(1).max(100),
    memoryUtilization: z.number().int().min(1).max(100),
  }),
  dependencies: z.strictObject({
    /** Services this one calls over HTTP. */
    calls: z.array(z.string()),
    /** Queues this one sends to. */
    publishes: z.array(z.string()),
    /** Queues this one receives from. */
    consumes: z.array(z.string()),
    /** A PostgreSQL database of its own. */
    database: z.boolean(),
    /** A Redis (Valkey) cache of its own. */
    cache: z.boolean(),
  }),
  slo: z.strictObject({
    /** Percentage of good requests over the window, 90 to 99.999 (a percentage: 99.9, not 0.999). */
    availability: z.number(),
    latency: z.strictObject({
      /** Percentage of requests that must be faster than the threshold, strictly between 0 and 100 (95). */
      percentile: z.number().gt(0).lt(100),
      /** Latency threshold in seconds, 0.001 (1 ms) to 60. */
      thresholdSeconds: z.number().positive(),
    }),
    /** Window of the objectives in days, at most the days Prometheus keeps (PROMETHEUS_RETENTION_DAYS, 31). */
    windowDays: positiveInt,
  }),
  /** Whether the service is reachable from the internet through the ALB. */
  exposure: z.enum(['edge', 'internal']),
  /**
   * Where the environment's ALB serves an edge service (edge-routes.ts). By default a host of its own,
   * `<name>.<environment edge.domain>`. Only for `exposure: 'edge'`; no two edge services may share host and path.
   */
  edge: z
    .strictObject({
      /** The host is `<subdomain>.<edge.domain>`. @default the service name, or the domain itself when `path` is given */
      subdomain: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
          error: 'must be a DNS label: lowercase letters, digits and -, at most 63 characters, no - at either end',
        })
        .optional(),
      /** Path prefix of the route (longer prefixes are matched first). @default '/' */
      path: edgePath.optional(),
    })
    .optional(),
  /** Whether the service talks to the Kubernetes API (mounts a token). */
  usesKubernetesApi: z.boolean(),
  /** Whether the service writes temporary files: it then gets a writable emptyDir at /tmp (the root stays read-only). */
  writableTmp: z.boolean().optional(),
});

/**
 * What one environment runs of a service where it differs from the catalog: the image, and if needed the
 * replica range and resources. Each given field replaces the catalog's whole field. `pnpm promote` writes
 * `image` here.
 */
export const ServiceReleaseSchema = z.strictObject({
  image: ServiceSchema.shape.image.optional(),
  replicas: ServiceSchema.shape.replicas.optional(),
  resources: ServiceSchema.shape.resources.optional(),
});

/** Per environment name, per service name: that service's release in that environment. */
export const ReleasesSchema = z.record(
  z.string().describe('environment'),
  z.record(z.string().describe('service'), ServiceReleaseSchema),
);

export const QueueSchema = z.strictObject({
  name: dnsLabel('queue name'),
  /** Deliveries before a message moves to the dead-letter queue. */
  maxReceiveCount: positiveInt,
  visibilityTimeoutSeconds: z.number().int().min(0).max(43200),
  dlqRetentionDays: z.number().int().min(1).max(14),
  /** Age of the oldest message on the main queue that raises an alarm. */
  maxMessageAgeSeconds: positiveInt,
});

export const TeamSchema = z.strictObject({
  name: dnsLabel('team name'),
  /** Namespace quota for the team's namespace. */
  quota: z.strictObject({ cpu: quantity, memory: quantity, pods: positiveInt }),
});

export const OrganizationSchema = z.strictObject({
  /** Short name that prefixes every AWS resource name. */
  name: dnsLabel('organization name'),
  /** Where the shared stacks (the image registry, CI identity) live. */
  sharedServices: z.strictObject({ account: accountId, region }),
  /**
   * This repository on GitHub and its protected branch: the deploy workflow runs on a merge to `branch`, each
   * environment's deploy role trusts the repository's GitHub Environment of that environment, and its workflows on
   * `branch` may push images.
   */
  ci: githubSource.extend({
    /**
     * The accounts (shared services or environments) that already hold a GitHub OIDC provider: IAM keeps one
     * provider per URL per account, so their stacks import it by ARN instead of creating it (delivery.ts
     * `githubOidcProviderStacks`). Each must be an account of the model, once.
     * @default none: the stacks create one provider in each account
     */
    existingOidcProviderAccounts: z.array(accountId).optional(),
  }),
  /**
   * Which images each ECR repository expires. Only untagged images and images whose every tag starts with
   * `buildTagPrefix` (CI's short-lived build tags) expire, after the given days since push; an image any
   * environment's model references (catalog or release), or with a tag matching `releaseTagPatterns`, never expires.
   */
  images: z.strictObject({
    /** Prefix of CI's build tags, e.g. `build-`; no tag a service or release names may start with it. */
    buildTagPrefix: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, {
      error:
        "must be a non-empty tag prefix such as 'build-': a letter, digit or _ followed by up to 63 letters, digits, _, . or -",
    }),
    buildTagDays: positiveInt,
    untaggedDays: positiveInt,
    /**
     * ECR tag patterns (`*` for any characters) of release tags, e.g. `['*.*.*']` for versions such as `1.4.2`: an
     * image with a tag matching one never expires, so an environment can roll back to a release it no longer names.
     * Every service and release tag must match one; none may match a build tag (image-expiry-rules.ts). At most 4
     * `*` per pattern (Amazon ECR User Guide, "Lifecycle policy properties", tagPatternList).
     */
    releaseTagPatterns: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9_.*-]{1,128}$/, {
            error: 'must be 1 to 128 letters, digits, _, ., - or * (any characters), as an ECR tag pattern',
          })
          .refine((pattern) => (pattern.match(/\*/g) ?? []).length <= 4, {
            error: 'may hold at most 4 * wildcards (ECR tagPatternList)',
          }),
      )
      .min(1),
  }),
  /** Tags of the shared stacks (each environment tags its own resources). */
  tags: z.strictObject({ owner: z.string().min(1), costCenter: z.string().min(1) }),
});

export const PlatformModelSchema = z.strictObject({
  organization: OrganizationSchema,
  environments: z.array(EnvironmentSchema).min(1),
  teams: z.array(TeamSchema).min(1),
  services: z.array(ServiceSchema),
  queues: z.array(QueueSchema),
  /** Per-environment releases (`data/releases.json`); an environment or service without one runs the catalog's values. */
  releases: ReleasesSchema.optional(),
});

export type NodeGroup = z.infer<typeof NodeGroupSchema>;
type ParsedEnvironment = z.infer<typeof EnvironmentSchema>;
/** An environment as the validator returns it: `gitops.path` and `gitops.targetRevision` filled in. */
export type Environment = Omit<ParsedEnvironment, 'gitops'> & {
  readonly gitops: ParsedEnvironment['gitops'] & { path: string; targetRevision: string };
};
/** An environment as the model's data writes it (`gitops.path` and `gitops.targetRevision` may be left out). */
export type EnvironmentInput = z.input<typeof EnvironmentSchema>;
export type Alerting = z.infer<typeof AlertingSchema>;
export type AlarmThresholdsInput = z.infer<typeof AlarmThresholdsSchema>;
export type Access = z.infer<typeof AccessSchema>;
export type Backup = z.infer<typeof BackupSchema>;
export type Observability = z.infer<typeof ObservabilitySchema>;
export type Service = z.infer<typeof ServiceSchema>;
export type Queue = z.infer<typeof QueueSchema>;
export type ServiceRelease = z.infer<typeof ServiceReleaseSchema>;
export type Releases = z.infer<typeof ReleasesSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type Organization = z.infer<typeof OrganizationSchema>;
/** The model as the validator returns it (validate.ts): every default the schema cannot fill filled in. */
export type PlatformModel = Omit<z.infer<typeof PlatformModelSchema>, 'environments'> & {
  environments: Environment[];
};
