export * from './alerting/alertmanager-values';
export * from './gitops-chart';
export * from './manifest-files';
