import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformAddons } from '@platform/k8s-platform';
import {
  EDGE_RECORD_TYPES,
  EnvironmentNaming,
  edgeHosts,
  isInZone,
  loadModel,
  loadPlatformModel,
  modelIn,
  ownershipRecordName,
  PLATFORM_NAMESPACES,
  type PlatformModel,
} from '@platform/model';
import { parse } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { draftModel } from '../model/support/drafts';

/**
 * external-dns in every environment of a model: installed exactly where the model names a hosted zone, limited to that
 * zone and to the edge domain, with an owner ID no other environment has, and covering every edge host. Run on the
 * shipped model and on it with its first environment's zone taken away; dist/ is checked for the shipped model.
 */

// biome-ignore lint/suspicious/noExplicitAny: Helm values are free-form.
type Json = any;

const DIST = join(__dirname, '..', '..', 'dist');

const withoutFirstZone = (() => {
  const draft = draftModel();
  draft.environments[0].edge.hostedZone = undefined;
  return loadModel(draft);
})();
const withParentZones = (() => {
  const draft = draftModel();
  for (const environment of draft.environments) {
    const zone = environment.edge.hostedZone;
    if (zone) environment.edge.hostedZone = { ...zone, name: environment.edge.domain.split('.').slice(1).join('.') };
  }
  return loadModel(draft);
})();
const MODELS: [string, PlatformModel][] = [
  ['the shipped model', loadPlatformModel()],
  ['the model without its first zone', withoutFirstZone],
  ['the model with zones of the edge domains’ parents', withParentZones],
];

/** external-dns 0.22.0's domain filter (endpoint/domain_filter.go `matchFilter`): the name is a filter or below one. */
const passesDomainFilter = (name: string, filters: readonly string[]) =>
  filters.some((filter) => name === filter || name.endsWith(`.${filter}`));
/** Its `MatchParent`: the name is a parent of a filter. */
const isParentOfFilter = (name: string, filters: readonly string[]) =>
  filters.some((filter) => filter.endsWith(`.${name}`));

/** The external-dns add-on of each environment of the model (undefined where there is none). */
function externalDnsOf(model: PlatformModel) {
  return model.environments.map((environment) => {
    const naming = new EnvironmentNaming(model.organization, environment);
    const addon = platformAddons({ environment, naming }).find((candidate) => candidate.name === 'external-dns');
    return { environment, naming, addon, values: addon?.values as Json };
  });
}

describe.each(MODELS)('in %s', (_, model) => {
  const installs = externalDnsOf(model);

  test('external-dns is installed where, and only where, the model names a hosted zone, in its own namespace', () => {
    expect(installs.some(({ addon }) => addon)).toBe(true);
    for (const { environment, addon } of installs) {
      expect({ environment: environment.name, installed: addon !== undefined }).toEqual({
        environment: environment.name,
        installed: environment.edge.hostedZone !== undefined,
      });
      if (addon) expect(addon.namespace).toBe(PLATFORM_NAMESPACES.externalDns);
    }
  });

  test('it keeps records of the model’s zone only, under the edge domain only, with the sync policy and TXT ownership', () => {
    for (const { environment, values } of installs.filter(({ addon }) => addon)) {
      const zone = environment.edge.hostedZone as { id: string };
      expect(values.provider).toEqual({ name: 'aws' });
      expect(values.domainFilters).toEqual([environment.edge.domain]);
      const zoneFilters = (values.extraArgs as string[]).filter((arg) => arg.startsWith('--zone-id-filter'));
      expect(zoneFilters).toEqual([`--zone-id-filter=${zone.id}`]);
      // external-dns considers the zone (provider/aws/aws.go `zones` at v0.22.0): its name passes the domain filter,
      // or it is a parent of the filter and --aws-zone-match-parent is set.
      const zoneName = (environment.edge.hostedZone as { name: string }).name;
      const matchParent = (values.extraArgs as string[]).includes('--aws-zone-match-parent');
      expect({
        zone: zoneName,
        considered:
          passesDomainFilter(zoneName, values.domainFilters) ||
          (matchParent && isParentOfFilter(zoneName, values.domainFilters)),
      }).toEqual({ zone: zoneName, considered: true });
      // The chart requires a policy (values.schema.json at 1.22.0); sync deletes only records this owner holds.
      expect(values.policy).toBe('sync');
      expect(values.registry).toBe('txt');
      expect(values.sources).toEqual(['ingress']);
      // Pods cannot reach the instance metadata service, where the AWS SDK would look for the region.
      expect(values.env).toEqual([{ name: 'AWS_REGION', value: environment.region }]);
    }
  });

  test('each environment has an owner ID of its own, so no two clusters take each other’s records', () => {
    const owners = installs.filter(({ addon }) => addon).map(({ values }) => values.txtOwnerId as string);
    expect(new Set(owners).size).toBe(owners.length);
    for (const { naming, values } of installs.filter(({ addon }) => addon)) {
      expect(values.txtOwnerId).toBe(naming.dnsRecordOwnerId);
      expect(values.txtOwnerId).toBe(naming.clusterName);
    }
  });

  test('every edge host, and its ownership records, is a name of the zone and passes the domain filter', () => {
    for (const { environment, values } of installs.filter(({ addon }) => addon)) {
      const zone = environment.edge.hostedZone as { name: string };
      const hosts = edgeHosts(environment, modelIn(model, environment.name).services);
      expect(hosts.length).toBeGreaterThan(0);
      for (const host of hosts) {
        const names = [host, ...EDGE_RECORD_TYPES.map((type) => ownershipRecordName(host, type))];
        for (const name of names) {
          expect({ name, zone: zone.name, inZone: isInZone(name, zone.name) }).toEqual({
            name,
            zone: zone.name,
            inZone: true,
          });
          const filtered = passesDomainFilter(name, values.domainFilters);
          expect({ name, filtered }).toEqual({ name, filtered: true });
        }
      }
    }
  });
});

test('the ownership record of a host is one label below it, so it never shares a name with an alias record', () => {
  expect(ownershipRecordName('orders.acme.example.com', 'A')).toBe('_edns-a.orders.acme.example.com');
  expect(ownershipRecordName('acme.example.com', 'AAAA')).toBe('_edns-aaaa.acme.example.com');
});

describe.each(loadPlatformModel().environments)('dist/$name', (environment) => {
  const objects = listFiles(DIST)
    .filter((path) => path.startsWith(`${environment.name}/`) && path.endsWith('.yaml'))
    .map((path) => parse(readFileSync(join(DIST, path), 'utf8')));

  test('its external-dns Application filters on the edge domain and the zone of the model', () => {
    const applications = objects.filter(
      (object) => object?.kind === 'Application' && object.spec?.source?.chart === 'external-dns',
    );
    const zone = environment.edge.hostedZone;
    expect(applications).toHaveLength(zone ? 1 : 0);
    if (!zone) return;
    const values = applications[0].spec.source.helm.valuesObject;
    expect(values.domainFilters).toEqual([environment.edge.domain]);
    expect(values.extraArgs).toContain(`--zone-id-filter=${zone.id}`);
  });

  test('its namespace admits only Prometheus, on the metrics port, and egress to DNS, the Pod Identity agent and HTTPS only', () => {
    const policies = objects.filter(
      (object) => object?.kind === 'NetworkPolicy' && object.metadata.namespace === PLATFORM_NAMESPACES.externalDns,
    );
    // external-dns serves /metrics on 7979 (the chart's port `http`, which its ServiceMonitor scrapes).
    expect(policies.flatMap((policy) => policy.spec.ingress ?? [])).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 7979 }],
      },
    ]);
    expect(policies.some((policy) => policy.spec.policyTypes.includes('Ingress'))).toBe(true);
    const egressPorts = policies
      .flatMap((policy) => policy.spec.egress ?? [])
      .flatMap((rule: Json) => rule.ports.map((port: Json) => `${port.protocol}/${port.port}`));
    expect([...new Set(egressPorts)].sort()).toEqual(['TCP/443', 'TCP/53', 'TCP/80', 'UDP/53']);
  });
});
