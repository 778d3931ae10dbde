import type { Environment, Service } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * Namespace label by which the AWS Load Balancer Controller adds a readiness gate to new pods: a pod counts
 * as ready only once the ALB sees it healthy, so a rolling update never outpaces the load balancer.
 */
export const POD_READINESS_GATE_LABELS = { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } as const;

export interface EdgeIngressProps {
  readonly environment: Environment;
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
 * The internet-facing entry of an edge service: an Ingress of class `alb` that the AWS Load Balancer
 * Controller turns into an ALB with HTTPS on the environment's certificate, HTTP redirected to HTTPS,
 * invalid header fields dropped, and pods as targets (target type ip) health-checked on the service's
 * readiness path.
 */
export class EdgeIngress extends Construct {
  public constructor(scope: Construct, id: string, props: EdgeIngressProps) {
    super(scope, id);
    const { environment, service } = props;
    new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: service.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: {
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
        },
      },
      spec: {
        ingressClassName: 'alb',
        rules: [
          {
            host: environment.edge.domain,
            http: {
              paths: [
                {
                  path: '/',
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
