import { GITOPS_SYNC_RETRY, PLATFORM_NAMESPACES } from '@platform/model';
import { Construct } from 'constructs';
import {
  Application,
  type ApplicationSpecIgnoreDifferences,
  type ApplicationSpecSource,
} from '../imports/argocd-application-argoproj.io';

/** The cluster Argo CD runs in: Applications deploy to their own cluster. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

export interface ArgoCdApplicationProps {
  readonly name: string;
  /** AppProject the Application belongs to. */
  readonly project: string;
  readonly source: ApplicationSpecSource;
  /**
   * Namespace for objects that name none. Argo CD checks it against the project's destinations even when
   * the Application deploys cluster-scoped objects only: without one, the project must permit the
   * destination namespace `''`.
   * @default - none; every object names its namespace
   */
  readonly destinationNamespace?: string;
  /** Argo CD sync wave (SyncWave). */
  readonly syncWave: number;
  /** Sync options besides CreateNamespace=false. @default - none */
  readonly syncOptions?: readonly string[];
  /**
   * Fields Argo CD ignores when it compares, and keeps as they are live when it syncs
   * (`RespectIgnoreDifferences=true` is added with them).
   * @default - none
   */
  readonly ignoreDifferences?: readonly ApplicationSpecIgnoreDifferences[];
  readonly labels: Record<string, string>;
}

/**
 * A child Application of the app-of-apps: synced automatically with prune and self-heal, retried with
 * backoff like the root Application (GITOPS_SYNC_RETRY), and never creating namespaces (the platform
 * ships them with their Pod Security labels).
 * The resources finalizer makes deleting the Application delete what it deployed, instead of orphaning it.
 */
export class ArgoCdApplication extends Construct {
  public constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: PLATFORM_NAMESPACES.argocd,
        labels: props.labels,
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave) },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: props.project,
        source: props.source,
        destination: {
          server: IN_CLUSTER,
          ...(props.destinationNamespace ? { namespace: props.destinationNamespace } : {}),
        },
        ...(props.ignoreDifferences?.length
          ? { ignoreDifferences: props.ignoreDifferences.map((d) => ({ ...d })) }
          : {}),
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: [
            'CreateNamespace=false',
            ...(props.syncOptions ?? []),
            ...(props.ignoreDifferences?.length ? ['RespectIgnoreDifferences=true'] : []),
          ],
          retry: { limit: GITOPS_SYNC_RETRY.limit, backoff: { ...GITOPS_SYNC_RETRY.backoff } },
        },
      },
    });
  }
}
