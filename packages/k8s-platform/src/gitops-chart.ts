import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';

export interface GitOpsChartProps extends ChartProps {
  /** Environment whose folder holds the chart. */
  readonly environment: string;
  /**
   * Folder below the environment's folder, one per Argo CD Application, e.g. `services/order-service`.
   * An empty string puts the chart's objects in the environment's root folder (the app-of-apps).
   */
  readonly folder: string;
  /**
   * Argo CD sync wave of the Application that owns the folder; after SyncWave.PROJECTS.
   * @default SyncWave.SERVICES
   */
  readonly syncWave?: number;
}

/**
 * Order in which the root Application syncs the app-of-apps: the AppProjects (an Application whose project
 * does not exist yet is refused and never turns healthy, so the root would wait for it forever), the
 * namespaces (the add-ons install into them), CRDs and operators, then cluster configuration, then services,
 * and last what waits for an operator: objects that stay Degraded until someone puts a credential into Secrets
 * Manager (the alert receivers). Argo CD applies a wave only once every object of the waves before it is
 * healthy, and a sync ends without waiting for the health of its last wave, so nothing waits for those.
 */
export const SyncWave = {
  PROJECTS: -2,
  NAMESPACES: -1,
  CRDS_AND_OPERATORS: 0,
  CLUSTER_CONFIGURATION: 1,
  SERVICES: 2,
  OPERATOR_SUPPLIED: 3,
} as const;

const GITOPS_CHART = Symbol.for('@platform/k8s-platform.GitOpsChart');

/** A chart whose objects land in `dist/<environment>/<folder>/`, the folder one Argo CD Application owns. */
export class GitOpsChart extends Chart {
  /**
   * Whether `x` is a GitOpsChart. `x instanceof GitOpsChart` cannot tell: cdk8s's Chart answers `instanceof` for
   * itself and every subclass with `Chart.isChart` (cdk8s 2.70, lib/chart.ts), so any chart passes it.
   */
  public static isGitOpsChart(x: unknown): x is GitOpsChart {
    return typeof x === 'object' && x !== null && GITOPS_CHART in x;
  }

  public readonly environment: string;
  public readonly folder: string;
  public readonly syncWave: number;

  public constructor(scope: Construct, id: string, props: GitOpsChartProps) {
    super(scope, id, { disableResourceNameHashes: true, ...props });
    this.environment = props.environment;
    this.folder = props.folder;
    this.syncWave = props.syncWave ?? SyncWave.SERVICES;
    Object.defineProperty(this, GITOPS_CHART, { value: true });
  }

  /** Path of the chart's folder relative to dist/. */
  public get outputPath(): string {
    return this.folder === '' ? this.environment : `${this.environment}/${this.folder}`;
  }
}
