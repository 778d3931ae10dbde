import {
  DATA_STORE_AUTHENTICATION,
  type Environment,
  EnvironmentNaming,
  type Organization,
  type Service,
  serviceAccountOf,
  serviceNamespace,
} from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EdgeIngress } from '../edge/edge-ingress';
import { ServiceMonitor } from '../imports/prometheus-servicemonitor-monitoring.coreos.com';
import { serviceLabels, serviceSelector } from '../labels';
import { ServiceNetworkPolicies } from '../network/service-network-policies';
import { openTelemetryEnv } from '../observability/telemetry-collectors';
import { ServiceAutoscaling } from './service-autoscaling';
import { ServiceDeployment } from './service-deployment';
import { ServiceSecrets, secretKey } from './service-secrets';

export interface PlatformServiceProps {
  readonly organization: Organization;
  readonly environment: Environment;
  /** The catalog entry. */
  readonly service: Service;
  /** Services that call this one. @default - none */
  readonly callers?: readonly Service[];
  /** Services this one calls. @default - none */
  readonly callees?: readonly Service[];
}

/**
 * Everything one catalog entry runs as: ServiceAccount, Deployment, Service, autoscalers and disruption
 * budget, ExternalSecrets for its data stores, ServiceMonitor, NetworkPolicies for its edges, and an
 * ALB Ingress when it faces the internet. Every name that AWS also knows comes from the naming contract.
 */
export class PlatformService extends Construct {
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    const { organization, environment, service } = props;
    const naming = new EnvironmentNaming(organization, environment);
    const namespace = serviceNamespace(service);
    this.namespace = namespace;
    const labels = serviceLabels(organization, environment, service);

    // Pod Identity associates the IAM role with this account by name, so it carries no annotation.
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountOf(service).name, namespace, labels },
      automountServiceAccountToken: service.usesKubernetesApi,
    });
    const secrets = new ServiceSecrets(this, 'Secrets', { naming, service, namespace, labels });
    const deployment = new ServiceDeployment(this, 'Deployment', {
      organization,
      environment,
      service,
      namespace,
      env: settings(naming, environment, service),
      secretNames: secrets.secretNames,
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: service.name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector: serviceSelector(service),
        ports: [
          { name: 'http', port: service.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
          {
            name: 'metrics',
            port: service.metricsPort,
            targetPort: k8s.IntOrString.fromString('metrics'),
            protocol: 'TCP',
          },
        ],
      },
    });
    new ServiceAutoscaling(this, 'Autoscaling', { service, namespace, labels, deploymentName: deployment.name });
    new ServiceMonitor(this, 'Monitor', {
      metadata: { name: service.name, namespace, labels },
      spec: {
        selector: { matchLabels: serviceSelector(service) },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
      },
    });
    new ServiceNetworkPolicies(this, 'NetworkPolicies', {
      environment,
      service,
      callers: props.callers ?? [],
      callees: props.callees ?? [],
      labels,
    });
    if (service.exposure === 'edge') {
      new EdgeIngress(this, 'Ingress', {
        environment,
        naming,
        service,
        namespace,
        serviceName: service.name,
        labels,
      });
    }
  }
}

/**
 * Plain settings: the region, the URL of each queue as `<QUEUE>_QUEUE_URL`, and how to authenticate to the data stores
 * (`DATA_STORE_AUTHENTICATION`), which accept TLS connections only. PostgreSQL: `POSTGRES_USERNAME` (the service's own
 * user), `POSTGRES_AUTHENTICATION=iam` (the password is an IAM authentication token the service signs with its
 * workload identity for host, port, user and region, valid 15 minutes, new for each connection) and libpq's standard
 * `PGSSLMODE=require`, which libpq, pgx, node-postgres and psycopg read themselves. Valkey: `REDIS_TLS=true`. Last, the
 * OpenTelemetry SDK settings that send its traces to the trace collector (`openTelemetryEnv`).
 */
function settings(naming: EnvironmentNaming, environment: Environment, service: Service): k8s.EnvVar[] {
  const queues = [...new Set([...service.dependencies.publishes, ...service.dependencies.consumes])].sort();
  return [
    { name: 'AWS_REGION', value: environment.region },
    ...queues.map((queue) => ({ name: queueUrlVariable(queue), value: naming.queueUrl(queue) })),
    ...(service.dependencies.database
      ? [
          { name: secretKey('postgres', 'username'), value: naming.databaseUserName(service.name) },
          { name: secretKey('postgres', 'authentication'), value: DATA_STORE_AUTHENTICATION.postgres },
          { name: 'PGSSLMODE', value: 'require' },
        ]
      : []),
    ...(service.dependencies.cache ? [{ name: secretKey('redis', 'tls'), value: 'true' }] : []),
    ...openTelemetryEnv(environment, service),
  ];
}

export function queueUrlVariable(queue: string): string {
  return `${queue.toUpperCase().replace(/-/g, '_')}_QUEUE_URL`;
}
