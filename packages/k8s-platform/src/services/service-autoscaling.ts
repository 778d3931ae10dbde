import type { Service } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  VerticalPodAutoscaler,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode,
} from '../imports/vpa-autoscaling.k8s.io';
import { serviceSelector } from '../labels';

export interface ServiceAutoscalingProps {
  readonly service: Service;
  readonly namespace: string;
  /** Name of the Deployment to scale. */
  readonly deploymentName: string;
  readonly labels: Record<string, string>;
  /**
   * Seconds of lower load before replicas are removed, so a short dip does not shed capacity.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/**
 * How a service's capacity moves: a HorizontalPodAutoscaler on CPU and memory between the model's
 * replica bounds, a PodDisruptionBudget for voluntary disruptions (node consolidation, upgrades), and
 * a VerticalPodAutoscaler that only recommends requests (`updateMode: Off`), so it never fights the HPA.
 */
export class ServiceAutoscaling extends Construct {
  public constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    const { service, namespace, labels, deploymentName } = props;
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName };
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Horizontal', {
      metadata: { name: service.name, namespace, labels },
      spec: {
        scaleTargetRef: target,
        minReplicas: service.replicas.min,
        maxReplicas: service.replicas.max,
        metrics: [
          utilization('cpu', service.autoscaling.cpuUtilization),
          utilization('memory', service.autoscaling.memoryUtilization),
        ],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: props.scaleDownStabilizationSeconds ?? 300,
            selectPolicy: 'Min',
            policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
          },
        },
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: service.name, namespace, labels },
      spec: {
        selector: { matchLabels: serviceSelector(service) },
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        // A pod that never became ready must not block draining a node.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    new VerticalPodAutoscaler(this, 'Vertical', {
      metadata: { name: service.name, namespace, labels },
      spec: {
        targetRef: target,
        updatePolicy: { updateMode: VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.OFF },
        resourcePolicy: {
          containerPolicies: [
            {
              containerName: service.name,
              controlledResources: ['cpu', 'memory'],
              controlledValues: VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues.REQUESTS_ONLY,
            },
          ],
        },
      },
    });
  }
}

function utilization(resource: 'cpu' | 'memory', averageUtilization: number): k8s.MetricSpecV2 {
  return { type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization } } };
}
