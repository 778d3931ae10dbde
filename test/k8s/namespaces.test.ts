import { isUserError, loadModel, platformModelInput } from '@platform/model';
import { findObject, objectsOf, renderModel } from './support/rendered';

const rendered = renderModel();

describe('namespaces', () => {
  it('ships one namespace per team with Pod Security restricted in every mode', () => {
    for (const team of ['commerce', 'identity']) {
      const namespace = findObject(rendered, 'prod', 'Namespace', team);
      expect(namespace.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'platform.io/team': team,
        'platform.io/guardrails': 'enforce',
        'platform.io/environment': 'prod',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
  });

  it('ships the add-on namespaces, kube-system and argocd included, with the levels their charts run under', () => {
    const labelsOf = (key: string) =>
      Object.fromEntries(objectsOf(rendered, 'dev', 'Namespace').map((n) => [n.metadata.name, n.metadata.labels[key]]));
    expect(labelsOf('pod-security.kubernetes.io/enforce')).toEqual({
      commerce: 'restricted',
      identity: 'restricted',
      'kube-system': 'privileged',
      argocd: 'restricted',
      'external-secrets': 'restricted',
      karpenter: 'restricted',
      kyverno: 'restricted',
      monitoring: 'privileged',
    });
    // The guard rails enforce in the team namespaces and only audit in the add-on namespaces.
    expect(labelsOf('platform.io/guardrails')).toEqual({
      commerce: 'enforce',
      identity: 'enforce',
      'kube-system': 'audit',
      argocd: 'audit',
      'external-secrets': 'audit',
      karpenter: 'audit',
      kyverno: 'audit',
      monitoring: 'audit',
    });
  });

  it('keeps namespaces out of Argo CD pruning and in the first sync wave', () => {
    expect(findObject(rendered, 'prod', 'Namespace', 'commerce').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
    });
    expect(findObject(rendered, 'prod', 'Application', 'namespaces').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '-1',
    });
  });

  it('sizes the ResourceQuota of a team from the model', () => {
    const quota = findObject(rendered, 'prod', 'ResourceQuota', 'team-quota', 'identity');
    expect(quota.spec.hard).toEqual({
      'requests.cpu': '8',
      'requests.memory': '16Gi',
      'limits.memory': '16Gi',
      pods: 50,
    });
  });

  it('gives containers without resources small defaults and caps one container at the team quota', () => {
    const limits = findObject(rendered, 'prod', 'LimitRange', 'container-defaults', 'commerce').spec.limits;
    expect(limits).toEqual([
      {
        type: 'Container',
        defaultRequest: { cpu: '100m', memory: '128Mi' },
        default: { memory: '256Mi' },
        max: { cpu: '16', memory: '32Gi' },
      },
    ]);
  });

  it('denies all traffic by default in each team namespace, except DNS to kube-dns', () => {
    const deny = findObject(rendered, 'prod', 'NetworkPolicy', 'default-deny', 'identity');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = findObject(rendered, 'prod', 'NetworkPolicy', 'allow-dns-egress', 'identity');
    expect(dns.spec.egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  it('rejects a quota too small for the services at their maximum replicas plus a rollout surge pod, naming the team', () => {
    const input = structuredClone(platformModelInput);
    // user-service scales to 6 and surges by 1 in a rollout: 6 pods are one too few.
    input.teams[1] = { ...input.teams[1], quota: { ...input.teams[1].quota, pods: 6 } };
    const render = () => renderModel(loadModel(input));
    expect(render).toThrow(/teams\.identity\.quota\.pods: 6 is too small .*user-service.*at least 7/);
    input.teams[1] = { ...input.teams[1], quota: { ...input.teams[1].quota, pods: 7 } };
    expect(() => renderModel(loadModel(input))).not.toThrow();
    try {
      render();
    } catch (error) {
      expect(isUserError(error)).toBe(true);
    }
  });
});
