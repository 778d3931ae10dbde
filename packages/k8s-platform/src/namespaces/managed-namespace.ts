import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type PodSecurityLevels, podSecurityLabels, RESTRICTED } from './pod-security';

export interface ManagedNamespaceProps {
  readonly name: string;
  /**
   * Pod Security Admission levels of the namespace.
   * @default RESTRICTED (enforce, audit and warn `restricted`)
   */
  readonly podSecurity?: PodSecurityLevels;
  /**
   * Labels besides the Pod Security ones.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace that the platform ships (Argo CD's `CreateNamespace` stays off). Argo CD never prunes
 * it: deleting a namespace deletes everything in it, so that takes a person, not a sync.
 */
export class ManagedNamespace extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: ManagedNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...props.labels, ...podSecurityLabels(props.podSecurity ?? RESTRICTED) },
        // Comma-separated Key=value options (Argo CD 3.5.1, gitops-engine pkg/sync/resource/annotations.go): never
        // pruned when it leaves Git, never deleted with its Application (controller/appcontroller.go, shouldBeDeleted).
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
      },
    });
  }
}
