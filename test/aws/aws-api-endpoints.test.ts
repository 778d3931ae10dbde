import { ADDON_SERVICE_ACCOUNTS, loadPlatformModel } from '@platform/model';
import { renderModel } from '../k8s/support/rendered';
import { endpointCoverage, httpsOnlyInsideVpc } from '../properties/support/endpoint-invariants';
import { shippedTemplates } from './cloud-assembly';

/**
 * The add-ons whose NetworkPolicies keep their HTTPS inside the VPC reach every AWS API their roles may call through
 * an interface endpoint (endpoint-invariants.ts), for the shipped model here and for generated ones in
 * test/properties/aws.test.ts.
 */
const model = loadPlatformModel();
const rendered = { objects: renderModel(model) };

describe('AWS APIs behind restricted egress', () => {
  it('every AWS service a restricted add-on may call has its interface endpoint', () => {
    const { problems, checked } = endpointCoverage(model, shippedTemplates(), rendered);
    expect(problems).toEqual([]);
    // Not vacuous: the collectors of every environment with interface endpoints are restricted, and were checked.
    const withEndpoints = model.environments.filter((environment) => environment.network.interfaceEndpoints);
    expect(withEndpoints.length).toBeGreaterThan(0);
    for (const environment of withEndpoints) {
      expect(checked).toEqual(
        expect.arrayContaining([`${environment.name}/logCollector`, `${environment.name}/traceCollector`]),
      );
    }
  });

  it('names the add-on and the service when an endpoint is missing', () => {
    const templates = shippedTemplates();
    const environment = model.environments.find((candidate) => candidate.network.interfaceEndpoints);
    if (!environment) throw new Error('the shipped model has no environment with interface endpoints');
    const network = templates.byStack.get(`${environment.name}-network`)?.resources ?? {};
    for (const [id, resource] of Object.entries(network)) {
      if (resource.Type === 'AWS::EC2::VPCEndpoint' && JSON.stringify(resource.Properties).includes('.xray')) {
        delete network[id];
      }
    }
    expect(endpointCoverage(model, templates, rendered).problems).toEqual([
      expect.stringMatching(
        new RegExp(`^${environment.name}/traceCollector: .* may call xray, which has no interface endpoint`),
      ),
    ]);
  });

  it('external-dns, which calls the global Route 53 API (no interface endpoint), may reach HTTPS outside the VPC', () => {
    for (const environment of model.environments) {
      if (!environment.edge.hostedZone) continue;
      const policies = rendered.objects
        .filter(
          (file) =>
            file.environment === environment.name &&
            file.object.kind === 'NetworkPolicy' &&
            file.object.metadata.namespace === ADDON_SERVICE_ACCOUNTS.externalDns.namespace,
        )
        .map((file) => file.object);
      expect(httpsOnlyInsideVpc(policies)).toBe(false);
    }
  });

  it('judges egress rules by their peers and ports', () => {
    const [environment] = model.environments;
    const vpc = environment.network.vpcCidr;
    const policy = (egress: unknown[]) => [{ spec: { policyTypes: ['Egress'], egress } }];
    const https = [{ protocol: 'TCP', port: 443 }];
    const to = (...cidrs: string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    expect(httpsOnlyInsideVpc([])).toBeUndefined();
    expect(httpsOnlyInsideVpc(policy([{ to: to(vpc), ports: https }]))).toBe(true);
    // The cluster's Service addresses (EKS's defaults) are private: no AWS API answers there.
    expect(httpsOnlyInsideVpc(policy([{ to: to(vpc, '172.20.0.0/16', '10.100.0.0/16'), ports: https }]))).toBe(true);
    expect(httpsOnlyInsideVpc(policy([{ ports: https }]))).toBe(false);
    expect(httpsOnlyInsideVpc(policy([{ to: to('0.0.0.0/0') }]))).toBe(false);
    expect(httpsOnlyInsideVpc(policy([{ to: to('0.0.0.0/0'), ports: [{ port: 53 }] }]))).toBe(true);
    expect(httpsOnlyInsideVpc(policy([{ to: to('169.254.170.23/32'), ports: [{ port: 80 }] }]))).toBe(true);
    expect(httpsOnlyInsideVpc(policy([{ to: to('52.94.0.0/22'), ports: https }]))).toBe(false);
  });
});
