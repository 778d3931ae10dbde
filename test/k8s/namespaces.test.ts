import { isUserError, loadModel, loadPlatformModel, platformModelInput } from '@platform/model';
import { environmentNames, escapeRegExp, serviceIn, teamsWithServices } from '../support/model-facts';
import { findObject, objectsOf, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);
const ENVIRONMENTS = environmentNames(model);
const TEAMS = model.teams.map((team) => team.name);

/**
 * The add-on namespaces and the Pod Security level each one's charts run under (the reasons are in
 * packages/k8s-platform/src/namespaces/platform-namespaces.ts); the guard rails only audit there.
 */
const ADDON_POD_SECURITY: Record<string, string> = {
  'kube-system': 'privileged',
  argocd: 'restricted',
  'external-dns': 'restricted',
  'external-secrets': 'restricted',
  karpenter: 'restricted',
  kyverno: 'restricted',
  monitoring: 'privileged',
  velero: 'restricted',
  // Fluent Bit mounts the node's /var/log (hostPath); the trace collector runs restricted.
  logging: 'privileged',
  tracing: 'restricted',
};

describe('namespaces', () => {
  it('ships one namespace per team with Pod Security restricted in every mode', () => {
    for (const environment of ENVIRONMENTS) {
      for (const team of TEAMS) {
        const namespace = findObject(rendered, environment, 'Namespace', team);
        expect(namespace.metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'platform.io/team': team,
          'platform.io/guardrails': 'enforce',
          'platform.io/environment': environment,
          'app.kubernetes.io/managed-by': 'cdk8s',
        });
      }
    }
  });

  it('ships the add-on namespaces, kube-system and argocd included, with the levels their charts run under', () => {
    for (const environment of ENVIRONMENTS) {
      const labelsOf = (key: string) =>
        Object.fromEntries(
          objectsOf(rendered, environment, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels[key]]),
        );
      expect(labelsOf('pod-security.kubernetes.io/enforce')).toEqual({
        ...Object.fromEntries(TEAMS.map((team) => [team, 'restricted'])),
        ...ADDON_POD_SECURITY,
      });
      // The guard rails enforce in the team namespaces and only audit in the add-on namespaces.
      expect(labelsOf('platform.io/guardrails')).toEqual({
        ...Object.fromEntries(TEAMS.map((team) => [team, 'enforce'])),
        ...Object.fromEntries(Object.keys(ADDON_POD_SECURITY).map((namespace) => [namespace, 'audit'])),
      });
    }
  });

  it('keeps namespaces out of Argo CD pruning and in the first sync wave', () => {
    for (const environment of ENVIRONMENTS) {
      for (const namespace of objectsOf(rendered, environment, 'Namespace')) {
        expect(namespace.metadata.annotations).toEqual({
          'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
        });
      }
      expect(findObject(rendered, environment, 'Application', 'namespaces').metadata.annotations).toEqual({
        'argocd.argoproj.io/sync-wave': '-1',
      });
    }
  });

  it('sizes the ResourceQuota of each team from the model', () => {
    for (const environment of ENVIRONMENTS) {
      for (const { name, quota } of model.teams) {
        expect(findObject(rendered, environment, 'ResourceQuota', 'team-quota', name).spec.hard).toEqual({
          'requests.cpu': quota.cpu,
          'requests.memory': quota.memory,
          'limits.memory': quota.memory,
          pods: quota.pods,
        });
      }
    }
  });

  it('gives containers without resources small defaults and caps one container at the team quota', () => {
    for (const environment of ENVIRONMENTS) {
      for (const { name, quota } of model.teams) {
        expect(findObject(rendered, environment, 'LimitRange', 'container-defaults', name).spec.limits).toEqual([
          {
            type: 'Container',
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            default: { memory: '256Mi' },
            max: { cpu: quota.cpu, memory: quota.memory },
          },
        ]);
      }
    }
  });

  it('denies all traffic by default in each team namespace, except DNS to kube-dns', () => {
    for (const environment of ENVIRONMENTS) {
      for (const team of TEAMS) {
        const deny = findObject(rendered, environment, 'NetworkPolicy', 'default-deny', team);
        expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
        const dns = findObject(rendered, environment, 'NetworkPolicy', 'allow-dns-egress', team);
        expect(dns.spec.egress[0].ports).toEqual([
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ]);
      }
    }
  });

  it('rejects a quota too small for the services at their maximum replicas plus a rollout surge pod, naming the team', () => {
    const [team] = teamsWithServices(model);
    if (!team) return;
    // Each service of the team at replicas.max, plus one surge pod in a rollout, in the environment that needs most.
    const needed = Math.max(
      ...ENVIRONMENTS.map((environment) =>
        model.services
          .filter((service) => service.team === team)
          .reduce((sum, service) => sum + serviceIn(model, environment, service.name).replicas.max + 1, 0),
      ),
    );
    const withPods = (pods: number) => {
      const input = structuredClone(platformModelInput);
      const entry = input.teams.find((candidate) => candidate.name === team);
      if (entry) entry.quota = { ...entry.quota, pods };
      return () => renderModel(loadModel(input));
    };
    expect(withPods(needed - 1)).toThrow(
      new RegExp(`teams\\.${escapeRegExp(team)}\\.quota\\.pods: ${needed - 1} is too small .*at least ${needed}`),
    );
    expect(withPods(needed)).not.toThrow();
    try {
      withPods(needed - 1)();
    } catch (error) {
      expect(isUserError(error)).toBe(true);
    }
  });
});
