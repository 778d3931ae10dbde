import type { Environment, PlatformModel } from '@platform/model';
import type { App } from 'cdk8s';

/** Admission policies and alert rules of one environment. */
export function addGuardrailCharts(_app: App, _model: PlatformModel, _environment: Environment): void {}
