/**
 * What must hold between the NetworkPolicies of the Kubernetes half and the VPC endpoints of the AWS half for any
 * valid model: an add-on whose namespace's NetworkPolicies let its pods reach HTTPS only inside the VPC (the interface
 * endpoints in the private subnets, k8s-platform `awsApiPeers` where `network.interfaceEndpoints` is on) can call an
 * AWS API only through that API's interface endpoint. So every AWS service on whose actions the add-on's role has an
 * Allow (the prefixes of the actions of its policies in the templates, whatever they are) needs an interface endpoint
 * in the environment's network stack. A gateway endpoint (S3) does not count: its traffic goes to the service's public
 * addresses, which such a policy refuses.
 */
import {
  ADDON_SERVICE_ACCOUNTS,
  type AddonWithIdentity,
  type Cidr,
  cidrsOverlap,
  type Environment,
  EnvironmentNaming,
  environmentStackId,
  type PlatformModel,
  parseCidr,
} from '@platform/model';
import { environmentResources, resolve, roleStatements, type Templates } from './aws-invariants';
import type { RenderedDist } from './kubernetes-invariants';

// biome-ignore lint/suspicious/noExplicitAny: manifests and templates are walked as plain JSON
type Json = any;

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** IAM action prefixes whose interface endpoint has another name (`com.amazonaws.<region>.<name>`). */
const ENDPOINT_NAMES: Readonly<Record<string, string>> = { ecr: 'ecr.api' };

/**
 * Addresses where no public AWS API endpoint is: the private ranges (RFC 1918: the VPC, the cluster's Service
 * addresses) and link-local ones (the Pod Identity agent, 169.254.170.23). From there an AWS API answers only through
 * an interface endpoint in the VPC.
 */
const NO_PUBLIC_ENDPOINT = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'].map(cidrOf);

function cidrOf(text: string): Cidr {
  const cidr = parseCidr(text);
  if (typeof cidr === 'string') throw new Error(cidr);
  return cidr;
}

function within(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrsOverlap(inner, outer);
}

/** Whether an egress rule admits TCP 443 (no ports: every port). */
function admitsHttps(rule: Json): boolean {
  const ports = asList(rule.ports);
  if (ports.length === 0) return true;
  return ports.some((port: Json) => {
    if ((port.protocol ?? 'TCP') !== 'TCP') return false;
    if (port.port === undefined) return true;
    if (typeof port.port !== 'number') return true; // a named port may be anything
    return port.port <= 443 && 443 <= (port.endPort ?? port.port);
  });
}

/**
 * Whether the NetworkPolicies of a namespace let its pods reach HTTPS at private addresses only (the VPC's, among them
 * the interface endpoints): some policy limits their egress, and no egress rule that admits 443 names a peer that
 * reaches a public address (an address block not within a private or link-local range, or no peer at all, which is
 * everything). Undefined when no policy limits their egress.
 */
export function httpsOnlyInsideVpc(policies: readonly Json[]): boolean | undefined {
  const egress = policies.filter((policy) => asList(policy.spec?.policyTypes).includes('Egress'));
  if (egress.length === 0) return undefined;
  const leaves = (peer: Json) => {
    if (!peer.ipBlock) return false; // pods of the cluster
    const cidr = cidrOf(peer.ipBlock.cidr);
    return !NO_PUBLIC_ENDPOINT.some((range) => within(cidr, range));
  };
  return !egress
    .flatMap((policy) => asList(policy.spec.egress))
    .some((rule: Json) => admitsHttps(rule) && (asList(rule.to).length === 0 || asList(rule.to).some(leaves)));
}

/** The names of the environment's interface endpoints (`ecr.api`, `logs`, `xray`, …). */
function interfaceEndpoints(templates: Templates, environment: Environment): Set<string> {
  const network = templates.byStack.get(environmentStackId(environment.name, 'network'))?.resources ?? {};
  const prefix = `com.amazonaws.${environment.region}.`;
  return new Set(
    Object.values(network)
      .filter((r) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties?.VpcEndpointType === 'Interface')
      .map((r) => resolve(r.Properties?.ServiceName, environment) ?? '')
      .filter((name) => name.startsWith(prefix))
      .map((name) => name.slice(prefix.length)),
  );
}

export interface EndpointCoverage {
  /** One line per AWS service an add-on's role may call that its NetworkPolicies keep it from reaching. */
  readonly problems: string[];
  /** The `<env>/<add-on>` pairs whose egress stays inside the VPC, each checked. */
  readonly checked: string[];
}

/** See the file's comment. */
export function endpointCoverage(
  model: PlatformModel,
  templates: Templates,
  dist: Pick<RenderedDist, 'objects'>,
): EndpointCoverage {
  const problems: string[] = [];
  const checked: string[] = [];
  for (const environment of model.environments) {
    const naming = new EnvironmentNaming(model.organization, environment);
    const resources = environmentResources(model, templates, environment.name);
    const endpoints = interfaceEndpoints(templates, environment);
    const policies = dist.objects.filter(
      (file) => file.environment === environment.name && file.object.kind === 'NetworkPolicy',
    );
    for (const addon of Object.keys(ADDON_SERVICE_ACCOUNTS) as AddonWithIdentity[]) {
      const { namespace } = ADDON_SERVICE_ACCOUNTS[addon];
      const own = policies.filter((file) => file.object.metadata.namespace === namespace).map((file) => file.object);
      if (httpsOnlyInsideVpc(own) !== true) continue;
      const where = `${environment.name}/${addon}`;
      const roleName = naming.addonRoleName(addon);
      const statements = roleStatements(resources, roleName);
      if (!statements) {
        // The add-on runs without a role here (e.g. no hosted zone): it calls no AWS API.
        continue;
      }
      checked.push(where);
      const role = Object.values(resources).find(
        (r) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName,
      );
      if (asList(role?.Properties?.ManagedPolicyArns).length > 0) {
        problems.push(`${where}: role ${roleName} has managed policies, whose actions the templates do not show`);
      }
      const services = new Set(
        statements.flatMap((statement) => asList(statement.Action).map((action: string) => action.split(':')[0])),
      );
      for (const service of [...services].sort()) {
        const endpoint = ENDPOINT_NAMES[service] ?? service;
        if (!endpoints.has(endpoint)) {
          problems.push(
            `${where}: the NetworkPolicies of namespace ${namespace} admit HTTPS inside the VPC only, and role ${roleName} may call ${service}, which has no interface endpoint (com.amazonaws.${environment.region}.${endpoint})`,
          );
        }
      }
    }
  }
  return { problems, checked };
}
