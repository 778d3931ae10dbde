import {
  type Environment,
  imageUri,
  type Organization,
  parseImageReference,
  ROLLOUT_SURGE,
  type Service,
  serviceAccountOf,
} from '@platform/model';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type CheckovSkip, checkovSkipAnnotations } from '../checkov-skips';
import { serviceSelector, workloadLabels } from '../labels';

export interface ServiceDeploymentProps {
  readonly organization: Organization;
  readonly environment: Environment;
  readonly service: Service;
  readonly namespace: string;
  /** Plain settings of the container, e.g. queue URLs and the region. */
  readonly env: readonly k8s.EnvVar[];
  /** Secrets (written by ExternalSecrets) whose keys become environment variables. */
  readonly secretNames: readonly string[];
  /**
   * Seconds the container sleeps in preStop, so endpoints and the ALB stop sending traffic before it stops.
   * @default 10
   */
  readonly preStopPauseSeconds?: number;
  /**
   * Seconds the application has to finish in-flight work after the pause.
   * @default 30
   */
  readonly shutdownSeconds?: number;
}

/** Non-root user and group the containers run as. */
const RUN_AS = 10001;

/** First Kubernetes minor version with the `sleep` action of lifecycle hooks GA (KEP-3960). */
export const SLEEP_HOOK_MINOR = 34;

/**
 * The Deployment of a service: PSS restricted, probes on the model's paths, rolling updates that
 * never go below the current capacity, spread across zones and hosts. It has no `replicas`: the
 * HorizontalPodAutoscaler owns that field, and Argo CD's self-heal would otherwise reset it.
 */
export class ServiceDeployment extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: ServiceDeploymentProps) {
    super(scope, id);
    const { service, namespace } = props;
    // The only objects that carry the release: a tag bump changes this file and no other.
    const labels = workloadLabels(props.organization, props.environment, service);
    this.name = service.name;
    const pause = props.preStopPauseSeconds ?? 10;
    const nativeSleep = hasSleepHook(props.environment.cluster.kubernetesVersion);
    const selector = serviceSelector(service);
    // Typed by the 1.28 classes, written as a plain ApiObject: their rendering drops fields newer than 1.28.
    const skips = reviewedFindings(service, props.secretNames);
    const manifest = k8s.KubeDeployment.manifest({
      metadata: {
        name: service.name,
        namespace,
        labels,
        annotations: skips.length > 0 ? checkovSkipAnnotations(skips) : undefined,
      },
      spec: {
        selector: { matchLabels: selector },
        revisionHistoryLimit: 5,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxUnavailable: k8s.IntOrString.fromNumber(0),
            maxSurge: k8s.IntOrString.fromNumber(ROLLOUT_SURGE),
          },
        },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccountOf(service).name,
            automountServiceAccountToken: service.usesKubernetesApi,
            terminationGracePeriodSeconds: pause + (props.shutdownSeconds ?? 30),
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RUN_AS,
              runAsGroup: RUN_AS,
              fsGroup: RUN_AS,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: [
              spread('topology.kubernetes.io/zone', 'DoNotSchedule', selector),
              spread('kubernetes.io/hostname', 'ScheduleAnyway', selector),
            ],
            containers: [container(props, nativeSleep ? undefined : pause)],
            volumes: service.writableTmp
              ? [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }]
              : undefined,
          },
        },
      },
    });
    if (nativeSleep) {
      // The kubelet sleeps itself, so the image needs no `sleep` binary (distroless images have none, and a
      // failing exec hook skips the pause).
      manifest.spec.template.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: pause } } };
    }
    new ApiObject(this, 'Resource', manifest);
  }
}

/**
 * checkov findings on a service's Deployment that follow from the platform's design, each only while its
 * cause holds: a CPU limit, a digest or secrets passed as files make the finding, and its skip, go away.
 */
export function reviewedFindings(service: Service, secretNames: readonly string[]): CheckovSkip[] {
  const skips: CheckovSkip[] = [
    {
      check: 'CKV_K8S_15',
      reason:
        'Images come from the organization ECR repositories, whose tags are immutable, so IfNotPresent can only reuse the very image the tag named; nodes pull with their own role, so pulling again would not re-check a pod right to the image.',
    },
  ];
  if (parseImageReference(service.image.tag).digest === undefined) {
    skips.push({
      check: 'CKV_K8S_43',
      reason: `The model names the image by its version tag (${service.image.tag}); the ECR repositories make tags immutable, so the tag names one digest for ever, as a digest reference would.`,
    });
  }
  if (!service.resources.limits.cpu) {
    skips.push({
      check: 'CKV_K8S_11',
      reason:
        'The model sets no CPU limit for this service (resources.limits.cpu): CPU is compressible and a CFS quota throttles a latency-bound service even on an idle node; the CPU request reserves its share and the team ResourceQuota caps the requests of the namespace.',
    });
  }
  if (secretNames.length > 0) {
    skips.push({
      check: 'CKV_K8S_35',
      reason: `The service reads its data store settings from environment variables (envFrom ${secretNames.join(', ')}, written by External Secrets from Secrets Manager), the contract the applications are built to; the container runs as non-root with a read-only root filesystem and no privilege escalation.`,
    });
  }
  return skips;
}

/** Whether the cluster's Kubernetes version (`1.35`) has the GA `sleep` action of lifecycle hooks. */
export function hasSleepHook(kubernetesVersion: string): boolean {
  const [major, minor] = kubernetesVersion.split('.').map(Number);
  return major > 1 || minor >= SLEEP_HOOK_MINOR;
}

/** The container; `execPauseSeconds` adds an `exec sleep` preStop hook, for clusters without the sleep action. */
function container(props: ServiceDeploymentProps, execPauseSeconds: number | undefined): k8s.Container {
  const { organization, service } = props;
  const httpGet = (path: string): k8s.HttpGetAction => ({ path, port: k8s.IntOrString.fromString('http') });
  return {
    name: service.name,
    image: imageUri(organization, service),
    imagePullPolicy: 'IfNotPresent',
    ports: [
      { name: 'http', containerPort: service.port, protocol: 'TCP' },
      { name: 'metrics', containerPort: service.metricsPort, protocol: 'TCP' },
    ],
    env: props.env.length > 0 ? [...props.env] : undefined,
    envFrom: props.secretNames.length > 0 ? props.secretNames.map((name) => ({ secretRef: { name } })) : undefined,
    resources: {
      requests: {
        cpu: k8s.Quantity.fromString(service.resources.requests.cpu),
        memory: k8s.Quantity.fromString(service.resources.requests.memory),
      },
      limits: {
        memory: k8s.Quantity.fromString(service.resources.limits.memory),
        ...(service.resources.limits.cpu ? { cpu: k8s.Quantity.fromString(service.resources.limits.cpu) } : {}),
      },
    },
    startupProbe: { httpGet: httpGet(service.health.startup), periodSeconds: 5, failureThreshold: 30 },
    readinessProbe: { httpGet: httpGet(service.health.readiness), periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: httpGet(service.health.liveness), periodSeconds: 10, failureThreshold: 3 },
    lifecycle:
      execPauseSeconds === undefined
        ? undefined
        : { preStop: { exec: { command: ['sleep', String(execPauseSeconds)] } } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: service.writableTmp ? [{ name: 'tmp', mountPath: '/tmp' }] : undefined,
  };
}

function spread(
  topologyKey: string,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
  selector: Record<string, string>,
): k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: selector },
    // Spread each rollout's pods on their own, not old and new together.
    matchLabelKeys: ['pod-template-hash'],
  };
}
