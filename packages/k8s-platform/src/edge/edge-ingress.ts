import { type Environment, type EnvironmentNaming, edgeRoute, type Service } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * Namespace label by which the AWS Load Balancer Controller adds a readiness gate to new pods: a pod counts
 * as ready only once the ALB sees it healthy, so a rolling update never outpaces the load balancer.
 */
export const POD_READINESS_GATE_LABELS = { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } as const;

export interface EdgeIngressProps {
  readonly environment: Environment;
  /** Names the tag of the load balancer and its target groups (`edgeLoadBalancerTag`). */
  readonly naming: EnvironmentNaming;
  readonly service: Service;
  readonly namespace: string;
  /** Name of the Service that receives the traffic, on its `http` port. */
  readonly serviceName: string;
  readonly labels: Record<string, string>;
  /**
   * TLS policy of the HTTPS listener.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06' (TLS 1.3 and 1.2 only)
   */
  readonly sslPolicy?: string;
}

/**
 * IngressGroup of every edge Ingress of a cluster: the AWS Load Balancer Controller builds one ALB for the group,
 * so services that share a host (each on its own path) share the load balancer their DNS name points to.
 */
export const EDGE_INGRESS_GROUP = 'edge';

/** IngressClass of the edge Ingresses: the AWS Load Balancer Controller's. */
export const EDGE_INGRESS_CLASS = 'alb';

/**
 * `group.order` of an edge Ingress: the controller orders the listener rules of a group by it (smallest first,
 * range -1000 to 1000), across Ingresses, before any path length. Longer paths first, as Ingress prefix matching
 * means: `/orders` must be tried before `/` on the same host. Paths have at most 126 characters (schema).
 */
export function edgeRuleOrder(path: string): number {
  return -path.length;
}

/**
 * The internet-facing entry of an edge service: an Ingress of class `alb` in the environment's IngressGroup,
 * which the AWS Load Balancer Controller turns into rules of one ALB with HTTPS on the environment's certificate,
 * HTTP redirected to HTTPS, invalid header fields dropped, the environment's edge tag on what it creates, and pods as targets (target type ip) health-checked
 * on the service's readiness path. Host and path are the service's edge route (the model's edge-routes.ts).
 */
export class EdgeIngress extends Construct {
  public constructor(scope: Construct, id: string, props: EdgeIngressProps) {
    super(scope, id);
    const { environment, service } = props;
    const route = edgeRoute(environment, service);
    const tag = props.naming.edgeLoadBalancerTag;
    new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: service.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: {
          // Every Ingress of the group gives the load balancer's settings below alike, as the controller requires.
          'alb.ingress.kubernetes.io/group.name': EDGE_INGRESS_GROUP,
          'alb.ingress.kubernetes.io/group.order': String(edgeRuleOrder(route.path)),
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
          'alb.ingress.kubernetes.io/ssl-redirect': '443',
          'alb.ingress.kubernetes.io/certificate-arn': environment.edge.certificateArn,
          'alb.ingress.kubernetes.io/ssl-policy': props.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          'alb.ingress.kubernetes.io/healthcheck-path': service.health.readiness,
          'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
          // Requests with malformed header names never reach the pods (request smuggling; Security Hub ELB.4).
          'alb.ingress.kubernetes.io/load-balancer-attributes': 'routing.http.drop_invalid_header_fields.enabled=true',
          // The edge alarms (AWS half) find the load balancer and its target groups by this tag.
          'alb.ingress.kubernetes.io/tags': `${tag.key}=${tag.value}`,
        },
      },
      spec: {
        ingressClassName: EDGE_INGRESS_CLASS,
        rules: [
          {
            host: route.host,
            http: {
              paths: [
                {
                  path: route.path,
                  pathType: 'Prefix',
                  backend: { service: { name: props.serviceName, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
  }
}
