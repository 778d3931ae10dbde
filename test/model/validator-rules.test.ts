import {
  availabilityZoneContextKey,
  CLOUDWATCH_LOGS_RETENTION_DAYS,
  type DeploymentContext,
  edgeRoute,
  type ModelIssue,
  type PlatformModel,
  PROMETHEUS_RETENTION_DAYS,
  ROLLOUT_SURGE,
  validateModel,
} from '@platform/model';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  addEdgeService,
  contextWithZonesOf,
  draftModel,
  moveToAccount,
  moveToRegion,
  PROJECT_CONTEXT,
  releaseOf,
  setEdgeDomain,
  unusedAccount,
  withEnvironments,
} from './support/drafts';

/**
 * Each rule of the validator, broken once in a copy of the shipped model: exactly the expected problems, at their
 * places, each saying what is allowed. Subjects and expectations are taken from the model, not spelled out.
 */

interface Case {
  readonly name: string;
  /** Breaks the model; returns the issues it must produce, exactly. */
  readonly breakModel: (model: PlatformModel) => readonly { path: string; message: RegExp }[];
  readonly context?: (model: PlatformModel) => DeploymentContext;
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The team of the first service, and what its services take at the peak. */
function busiestTeam(model: PlatformModel) {
  const team = model.teams.find((candidate) => candidate.name === model.services[0].team);
  if (!team) throw new Error('the first service has no team');
  const services = model.services.filter((service) => service.team === team.name);
  const pods = services.reduce((sum, service) => sum + service.replicas.max + ROLLOUT_SURGE, 0);
  return { team, services, pods };
}

const CASES: Case[] = [
  {
    name: 'a team quota with too few pods',
    breakModel: (model) => {
      const { team, pods } = busiestTeam(model);
      team.quota.pods = pods - 1;
      return [{ path: `teams.${team.name}.quota.pods`, message: new RegExp(`allowed: at least ${pods}$`) }];
    },
  },
  {
    name: "a team quota below its services' memory limits",
    breakModel: (model) => {
      const { team, services } = busiestTeam(model);
      team.quota.memory = '1Mi';
      return [
        {
          path: `teams.${team.name}.quota.memory`,
          message: new RegExp(
            `memory limits of its services \\(${services.map((s) => s.name).join(', ')}\\).*allowed: at least \\d+(Mi|Gi)$`,
          ),
        },
      ];
    },
  },
  {
    name: "a team quota below its services' CPU requests",
    breakModel: (model) => {
      const { team } = busiestTeam(model);
      team.quota.cpu = '1m';
      return [{ path: `teams.${team.name}.quota.cpu`, message: /CPU requests .*allowed: at least \d+m?$/ }];
    },
  },
  {
    name: "a release that outgrows its team's quota in one environment",
    breakModel: (model) => {
      const { team, services } = busiestTeam(model);
      const need = (environment: string) =>
        services.reduce(
          (sum, service) =>
            sum + (model.releases?.[environment]?.[service.name]?.replicas ?? service.replicas).max + ROLLOUT_SURGE,
          0,
        );
      // The quota fits every environment as it is; then the last environment's release scales the first service up.
      team.quota.pods = Math.max(...model.environments.map((environment) => need(environment.name)));
      const { name } = model.environments[model.environments.length - 1];
      releaseOf(model, name, services[0].name).replicas = { min: 1, max: team.quota.pods };
      return [
        {
          path: `teams.${team.name}.quota.pods`,
          message: new RegExp(` in ${name}; allowed: at least ${need(name)}$`),
        },
      ];
    },
  },
  {
    name: 'a release whose memory request exceeds its limit',
    breakModel: (model) => {
      const [service] = model.services;
      const { name } = model.environments[0];
      releaseOf(model, name, service.name).resources = {
        requests: { cpu: '100m', memory: '1Gi' },
        limits: { memory: '512Mi' },
      };
      return [
        {
          path: `releases.${name}.${service.name}.resources.requests.memory`,
          message: /1Gi exceeds limits\.memory \(512Mi\)/,
        },
      ];
    },
  },
  {
    name: 'a flow-log retention CloudWatch Logs does not offer',
    breakModel: (model) => {
      const environment = model.environments[0];
      const days = CLOUDWATCH_LOGS_RETENTION_DAYS.find((d) => !CLOUDWATCH_LOGS_RETENTION_DAYS.includes(d + 1)) ?? 1;
      environment.network.flowLogRetentionDays = days + 1;
      return [
        {
          path: `environments.${environment.name}.network.flowLogRetentionDays`,
          message: /allowed: 1, 3, 5, 7, 14, 30, .*, 3653$/,
        },
      ];
    },
  },
  {
    name: 'a log retention of the collectors CloudWatch Logs does not offer',
    breakModel: (model) => {
      const environment = model.environments[model.environments.length - 1];
      const days = CLOUDWATCH_LOGS_RETENTION_DAYS.find((d) => !CLOUDWATCH_LOGS_RETENTION_DAYS.includes(d + 1)) ?? 1;
      environment.observability = { logs: { retentionDays: days + 1 } };
      return [
        {
          path: `environments.${environment.name}.observability.logs.retentionDays`,
          message: new RegExp(`^${days + 1} is not a retention CloudWatch Logs offers; allowed: 1, 3, 5, .*, 3653$`),
        },
      ];
    },
  },
  {
    name: 'a trace sampling ratio given as a percentage',
    breakModel: (model) => {
      const environment = model.environments[0];
      environment.observability = { traces: { samplingRatio: 10 } };
      return [
        {
          path: `environments.${environment.name}.observability.traces.samplingRatio`,
          message: /from 0 \(no traces\) to 1 \(every trace\); a fraction, not a percentage/,
        },
      ];
    },
  },
  {
    name: 'a node group mixing ARM and x86 instance types',
    breakModel: (model) => {
      const environment = model.environments[0];
      environment.cluster.nodeGroups.general.instanceTypes = ['m7g.large', 'm7i.large'];
      return [
        {
          path: `environments.${environment.name}.cluster.nodeGroups.general.instanceTypes`,
          message: /mixes ARM and x86 types \(arm64: m7g\.large; x86_64: m7i\.large\).*one architecture per group/,
        },
      ];
    },
  },
  {
    name: 'an instance type aws-cdk-lib cannot read',
    breakModel: (model) => {
      const environment = model.environments[0];
      const types = environment.cluster.nodeGroups.spot.instanceTypes;
      types[types.length - 1] = 'metal.large';
      return [
        {
          path: `environments.${environment.name}.cluster.nodeGroups.spot.instanceTypes.${types.length - 1}`,
          message: /'metal\.large' is not an EC2 instance type such as m7g\.large/,
        },
      ];
    },
  },
  {
    name: 'an ElastiCache replication group ID longer than 40 characters',
    breakModel: (model) => {
      model.services[0].dependencies.cache = true;
      const shortest = [...model.environments].sort((a, b) => a.name.length - b.name.length)[0];
      // The organization name that makes the shortest environment's ID of the first service 41 characters long.
      const length = 41 - shortest.name.length - model.services[0].name.length - 2;
      model.organization.name = `o${'x'.repeat(Math.max(0, length - 1))}`;
      return model.environments.flatMap((e) =>
        model.services
          .map((service) => `${model.organization.name}-${e.name}-${service.name}`)
          .filter((id, index) => model.services[index].dependencies.cache && id.length > 40)
          .map((id) => ({
            path: `environments.${e.name}.name`,
            message: new RegExp(`ElastiCache replication group '${id}' \\(max 40\\)`),
          })),
      );
    },
  },
  {
    // ECR (`<org>/<service>`), RDS and ElastiCache (`<org>-<env>-<service>`) refuse '--': the name itself is refused.
    name: "an organization name with '--', which the derived RDS identifier and ECR repository would contain",
    breakModel: (model) => {
      model.services[0].dependencies.database = true;
      model.organization.name = 'ac--me';
      return [{ path: 'organization.name', message: /single '-' between them/ }];
    },
  },
  {
    name: 'an availability SLO written as a fraction',
    breakModel: (model) => {
      model.services[0].slo = { ...model.services[0].slo, availability: 0.999 };
      return [
        {
          path: `services.${model.services[0].name}.slo.availability`,
          message: /0\.999 looks like a fraction; .*did you mean 99\.9\?.*from 90 to 99\.999/,
        },
      ];
    },
  },
  {
    name: 'an availability SLO below 90',
    breakModel: (model) => {
      model.services[0].slo = { ...model.services[0].slo, availability: 89.9 };
      return [{ path: `services.${model.services[0].name}.slo.availability`, message: /89\.9 is outside 90–99\.999/ }];
    },
  },
  {
    name: 'an availability SLO above 99.999',
    breakModel: (model) => {
      model.services[0].slo = { ...model.services[0].slo, availability: 99.9999 };
      return [
        { path: `services.${model.services[0].name}.slo.availability`, message: /99\.9999 is outside 90–99\.999/ },
      ];
    },
  },
  {
    name: 'a latency percentile written as a fraction',
    breakModel: (model) => {
      const { slo } = model.services[0];
      model.services[0].slo = { ...slo, latency: { ...slo.latency, percentile: 0.95 } };
      return [{ path: `services.${model.services[0].name}.slo.latency.percentile`, message: /did you mean 95\?/ }];
    },
  },
  {
    name: 'a latency threshold under 1 ms',
    breakModel: (model) => {
      const { slo } = model.services[0];
      model.services[0].slo = { ...slo, latency: { ...slo.latency, thresholdSeconds: 0.0009 } };
      return [
        {
          path: `services.${model.services[0].name}.slo.latency.thresholdSeconds`,
          message: /0\.0009 s is outside 0\.001–60 s/,
        },
      ];
    },
  },
  {
    name: 'a latency threshold over 60 s',
    breakModel: (model) => {
      const { slo } = model.services[0];
      model.services[0].slo = { ...slo, latency: { ...slo.latency, thresholdSeconds: 61 } };
      return [{ path: `services.${model.services[0].name}.slo.latency.thresholdSeconds`, message: /61 s is outside/ }];
    },
  },
  {
    name: 'an SLO window longer than Prometheus keeps data',
    breakModel: (model) => {
      model.services[0].slo = { ...model.services[0].slo, windowDays: PROMETHEUS_RETENTION_DAYS + 1 };
      return [
        {
          path: `services.${model.services[0].name}.slo.windowDays`,
          message: new RegExp(
            `longer than Prometheus keeps data \\(${PROMETHEUS_RETENTION_DAYS} days\\); allowed: 1 to ${PROMETHEUS_RETENTION_DAYS}`,
          ),
        },
      ];
    },
  },
  {
    name: 'a certificate of another region',
    breakModel: (model) => {
      const environment = model.environments[0];
      const other = environment.region === 'eu-west-1' ? 'eu-central-1' : 'eu-west-1';
      environment.edge.certificateArn = environment.edge.certificateArn.replace(
        `:${environment.region}:`,
        `:${other}:`,
      );
      return [
        {
          path: `environments.${environment.name}.edge.certificateArn`,
          message: new RegExp(
            `region ${other}: .*ACM certificates are regional.*allowed: arn:aws:acm:${environment.region}:${environment.account}:certificate/`,
          ),
        },
      ];
    },
  },
  {
    name: 'a certificate of another account',
    breakModel: (model) => {
      const environment = model.environments[0];
      const other = unusedAccount(model);
      environment.edge.certificateArn = environment.edge.certificateArn.replace(
        `:${environment.account}:`,
        `:${other}:`,
      );
      return [
        {
          path: `environments.${environment.name}.edge.certificateArn`,
          message: new RegExp(`account ${other}: .*allowed: arn:aws:acm:${environment.region}:${environment.account}:`),
        },
      ];
    },
  },
  {
    name: 'an admin role of another account',
    breakModel: (model) => {
      const environment = model.environments[0];
      const other = unusedAccount(model);
      environment.cluster.adminRoleArn = `arn:aws:iam::${other}:role/PlatformAdmin`;
      return [
        {
          path: `environments.${environment.name}.cluster.adminRoleArn`,
          message: new RegExp(`account ${other}: .*allowed: arn:aws:iam::${environment.account}:role/`),
        },
      ];
    },
  },
  {
    name: 'people principals of another account, naming every role, or of an unknown team',
    breakModel: (model) => {
      const environment = model.environments[0];
      const other = unusedAccount(model);
      const team = model.teams[0].name;
      environment.access = {
        teams: {
          [team]: [`arn:aws:iam::${other}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Team_*`],
          'no-such-team': [`arn:aws:iam::${environment.account}:role/Engineers`],
        },
        readOnly: [`arn:aws:iam::${environment.account}:role/*`],
      };
      const base = `environments.${environment.name}.access`;
      return [
        {
          path: `${base}.teams.${team}.0`,
          message: new RegExp(`account ${other}: .*allowed: arn:aws:iam::${environment.account}:role/`),
        },
        { path: `${base}.teams.no-such-team`, message: new RegExp(`unknown team 'no-such-team'.*${team}`) },
        { path: `${base}.readOnly.0`, message: /resource role\/\* \(not role\/ followed by a path or name\)/ },
      ];
    },
  },
  {
    name: 'a people principal with a region, or a user instead of a role',
    breakModel: (model) => {
      const environment = model.environments[0];
      environment.access = {
        readOnly: [
          `arn:aws:iam:${environment.region}:${environment.account}:role/Engineers`,
          `arn:aws:iam::${environment.account}:user/alice`,
        ],
      };
      const base = `environments.${environment.name}.access.readOnly`;
      return [
        { path: `${base}.0`, message: /IAM ARNs name no region/ },
        { path: `${base}.1`, message: /resource user\/alice/ },
      ];
    },
  },
  {
    name: 'an admin role ARN with a region',
    breakModel: (model) => {
      const environment = model.environments[0];
      environment.cluster.adminRoleArn = `arn:aws:iam:${environment.region}:${environment.account}:role/PlatformAdmin`;
      return [
        {
          path: `environments.${environment.name}.cluster.adminRoleArn`,
          message: /IAM ARNs name no region.*allowed: arn:aws:iam::/,
        },
      ];
    },
  },
  {
    name: "backups copied to the environment's own region, with a key of another region",
    breakModel: (model) => {
      const environment = model.environments[0];
      const otherRegion = environment.region === 'eu-west-1' ? 'eu-central-1' : 'eu-west-1';
      environment.database.backupReplication = {
        region: environment.region,
        kmsKeyArn: `arn:aws:kms:${otherRegion}:${environment.account}:key/00000000-0000-0000-0000-000000000009`,
      };
      const place = `environments.${environment.name}.database.backupReplication`;
      return [
        { path: `${place}.region`, message: new RegExp(`own region \\(${environment.region}\\).*name another`) },
        {
          path: `${place}.kmsKeyArn`,
          message: new RegExp(
            `region ${otherRegion}: .*allowed: arn:aws:kms:${environment.region}:${environment.account}:key/`,
          ),
        },
      ];
    },
  },
  {
    name: 'a catalog image and a release named by a CI build tag, which ECR expires',
    breakModel: (model) => {
      const { buildTagPrefix } = model.organization.images;
      const [service, other] = model.services;
      const environment = model.environments[model.environments.length - 1].name;
      service.image.tag = `${buildTagPrefix}1234`;
      releaseOf(model, environment, other.name).image = { tag: `${buildTagPrefix}abcd` };
      const message = new RegExp(`build-tag prefix '${literal(buildTagPrefix)}' .*whose images ECR expires`);
      return [
        { path: `services.${service.name}.image.tag`, message },
        { path: `releases.${environment}.${other.name}.image.tag`, message },
      ];
    },
  },
  {
    name: 'a catalog image and a release whose tag matches no release tag pattern, which ECR would expire once unnamed',
    breakModel: (model) => {
      const [service, other] = model.services;
      const environment = model.environments[model.environments.length - 1].name;
      model.organization.images.releaseTagPatterns = ['v*'];
      service.image.tag = 'main';
      releaseOf(model, environment, other.name).image = { tag: 'nightly' };
      const message = /matches no release tag pattern \(organization\.images\.releaseTagPatterns: 'v\*'\).*allowed:/;
      // Every other tag of the model that does not start with 'v' is refused too.
      const refused = (tag: string | undefined) => tag !== undefined && !tag.startsWith('v');
      return [
        ...model.services
          .filter((entry) => refused(entry.image.tag))
          .map((entry) => ({ path: `services.${entry.name}.image.tag`, message })),
        ...Object.entries(model.releases ?? {}).flatMap(([name, releases]) =>
          Object.entries(releases)
            .filter(([, release]) => refused(release.image?.tag))
            .map(([serviceName]) => ({ path: `releases.${name}.${serviceName}.image.tag`, message })),
        ),
      ];
    },
  },
  {
    name: 'release tag patterns that match build tags, which would then never expire',
    breakModel: (model) => {
      const { buildTagPrefix } = model.organization.images;
      model.organization.images.releaseTagPatterns = [
        '*.*.*',
        `${buildTagPrefix}*`,
        '**',
        `${buildTagPrefix.slice(0, 1)}*.*`,
        `${buildTagPrefix}1`,
        buildTagPrefix.slice(0, -1),
      ];
      const path = (index: number) => `organization.images.releaseTagPatterns.${index}`;
      const builds = new RegExp(`build tags such as '${literal(buildTagPrefix)}…'.*never expire; allowed:`);
      return [
        { path: path(1), message: builds },
        { path: path(2), message: /matches every tag, build tags included.*allowed:/ },
        { path: path(3), message: builds },
        { path: path(4), message: builds },
      ];
    },
  },
  {
    name: 'a release tag pattern with more wildcards than ECR takes',
    breakModel: (model) => {
      model.organization.images.releaseTagPatterns = ['*.*.*', 'v*.*.*.*.*'];
      return [{ path: 'organization.images.releaseTagPatterns.1', message: /at most 4 \* wildcards/ }];
    },
  },
  {
    name: 'two edge services on the same path of the same host',
    breakModel: (model) => {
      const first = model.services[0];
      first.exposure = 'edge';
      first.edge = { path: '/shop' };
      addEdgeService(model, 'edge-twin', { path: '/shop' });
      const route = edgeRoute(model.environments[0], first);
      return [
        {
          path: 'services.edge-twin.edge',
          message: new RegExp(
            `same host and path as edge service '${first.name}' \\(host ${literal(route.host)}, path /shop in environment '${model.environments[0].name}'\\)`,
          ),
        },
      ];
    },
  },
  {
    name: "an edge subdomain that is another edge service's own host",
    breakModel: (model) => {
      const first = model.services[0];
      first.exposure = 'edge';
      first.edge = undefined;
      addEdgeService(model, 'edge-twin', { subdomain: first.name });
      return [
        { path: 'services.edge-twin.edge', message: new RegExp(`same host and path as edge service '${first.name}'`) },
      ];
    },
  },
  {
    name: 'a hosted zone ID with its /hostedzone/ prefix',
    breakModel: (model) => {
      const environment = model.environments[0];
      const zone = environment.edge.hostedZone ?? { id: 'Z0123456789ABCDEFGHIJ', name: environment.edge.domain };
      environment.edge.hostedZone = { ...zone, id: `/hostedzone/${zone.id}` };
      return [
        {
          path: `environments.${environment.name}.edge.hostedZone.id`,
          message:
            /^must be a Route 53 hosted zone ID such as 'Z0123456789ABCDEFGHIJ': 'Z' followed by up to 31 uppercase letters and digits, without '\/hostedzone\/'$/,
        },
      ];
    },
  },
  {
    name: 'a hosted zone that does not hold the edge domain',
    breakModel: (model) => {
      const environment = model.environments[0];
      environment.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: `other-${environment.edge.domain}` };
      return [
        {
          path: `environments.${environment.name}.edge.hostedZone.name`,
          message: new RegExp(
            `^the zone other-${literal(environment.edge.domain)} does not hold the edge domain ${literal(environment.edge.domain)} of environment '${environment.name}'; allowed: ${literal(environment.edge.domain)} or a parent of it$`,
          ),
        },
      ];
    },
  },
  {
    name: 'one hosted zone named by environments of two accounts',
    breakModel: (model) => {
      const [first, second] = withEnvironments(model, 2).environments;
      first.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: first.edge.domain };
      // A parent of both domains, so only the account differs.
      const parent = first.edge.domain.split('.').slice(-2).join('.');
      first.edge.hostedZone.name = parent;
      second.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: parent };
      expect(second.account).not.toBe(first.account);
      return [
        {
          path: `environments.${second.name}.edge.hostedZone.id`,
          message: new RegExp(
            `^the zone Z0123456789ABCDEFGHIJ is named by environment '${first.name}' too, in account ${first.account}: .*allowed: a zone of this environment's account$`,
          ),
        },
      ];
    },
  },
  {
    name: 'one hosted zone with two names',
    breakModel: (model) => {
      const [first, second] = withEnvironments(model, 2).environments;
      moveToAccount(model, 1, first.account);
      first.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: first.edge.domain };
      second.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: second.edge.domain };
      return [
        {
          path: `environments.${second.name}.edge.hostedZone.id`,
          message: new RegExp(
            `^the zone Z0123456789ABCDEFGHIJ is named ${literal(first.edge.domain)} in environment '${first.name}' and ${literal(second.edge.domain)} here; one zone has one name$`,
          ),
        },
      ];
    },
  },
  {
    name: 'an edge host whose ownership record is longer than DNS allows',
    breakModel: (model) => {
      const environment = model.environments[0];
      for (const service of model.services) {
        service.exposure = 'internal';
        service.edge = undefined;
      }
      // 247 characters: the host (the domain itself) fits, `_edns-aaaa.<host>` (258) does not.
      environment.edge.domain = `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(57)}.com`;
      environment.edge.hostedZone = { id: 'Z0123456789ABCDEFGHIJ', name: environment.edge.domain };
      addEdgeService(model, 'apex', { path: '/apex' });
      return [
        {
          path: 'services.apex.edge',
          message: new RegExp(
            `^the ownership record _edns-aaaa\\.${literal(environment.edge.domain)} of its host in environment '${environment.name}' is longer than DNS allows \\(253 characters\\)`,
          ),
        },
      ];
    },
  },
  {
    name: 'two environments with one edge domain',
    breakModel: (model) => {
      const [first, second] = withEnvironments(model, 2).environments;
      setEdgeDomain(second, first.edge.domain);
      return [
        {
          path: `environments.${second.name}.edge.domain`,
          message: new RegExp(
            `^${literal(first.edge.domain)} is the edge domain of environment '${first.name}' too: .*DNS sends a name to one of them only; allowed: a domain no other environment has$`,
          ),
        },
      ];
    },
  },
  {
    name: "an edge service whose default host in one environment is another environment's domain",
    breakModel: (model) => {
      const [first, second] = withEnvironments(model, 2).environments;
      addEdgeService(model, 'portal');
      setEdgeDomain(second, edgeRoute(first, { name: 'portal' }).host);
      return [
        {
          path: 'services.portal.edge',
          message: new RegExp(
            `^its host ${literal(second.edge.domain)} in environment '${first.name}' is the edge domain of environment '${second.name}'.*; allowed: a host that is no other environment's edge\\.domain`,
          ),
        },
      ];
    },
  },
  {
    name: "an edge subdomain that names another environment's domain",
    breakModel: (model) => {
      const [first, second] = withEnvironments(model, 2).environments;
      setEdgeDomain(second, `shop.${first.edge.domain}`);
      addEdgeService(model, 'storefront', { subdomain: 'shop' });
      return [
        {
          path: 'services.storefront.edge',
          message: new RegExp(
            `^its host shop\\.${literal(first.edge.domain)} in environment '${first.name}' is the edge domain of environment '${second.name}'`,
          ),
        },
      ];
    },
  },
  {
    name: 'an environment after the first that tracks the protected branch, which every merge advances at once',
    breakModel: (model) => {
      const [, second, ...rest] = withEnvironments(model, 2).environments;
      second.gitops.targetRevision = model.organization.ci.branch;
      for (const environment of rest) environment.gitops.targetRevision = `release/${environment.name}`;
      return [
        {
          path: `environments.${second.name}.gitops.targetRevision`,
          message: new RegExp(
            `^'${literal(model.organization.ci.branch)}' is the protected branch \\(organization\\.ci\\.branch\\).*allowed: a branch of its own, such as 'deploy/${second.name}'`,
          ),
        },
      ];
    },
  },
  {
    name: 'two environments that track the same branch',
    breakModel: (model) => {
      const [, second, third] = withEnvironments(model, 3).environments;
      // The branch the second tracks by default.
      third.gitops.targetRevision = `deploy/${second.name}`;
      return [
        {
          path: `environments.${third.name}.gitops.targetRevision`,
          message: new RegExp(
            `^branch 'deploy/${second.name}' is tracked by environment '${second.name}' already.*allowed: a branch of its own, such as 'deploy/${third.name}'$`,
          ),
        },
      ];
    },
  },
  {
    name: 'a branch that is a folder of another branch',
    breakModel: (model) => {
      const [, second] = withEnvironments(model, 2).environments;
      second.gitops.targetRevision = `${model.organization.ci.branch}/${second.name}`;
      return [
        {
          path: `environments.${second.name}.gitops.targetRevision`,
          message: new RegExp(
            `^branch '${literal(model.organization.ci.branch)}/${second.name}' and '${literal(model.organization.ci.branch)}' \\(organization\\.ci\\.branch\\) cannot both be Git branches`,
          ),
        },
      ];
    },
  },
  {
    name: 'a target revision that is no branch name: a range, HEAD, a commit',
    breakModel: (model) => {
      const [first, second, third] = withEnvironments(model, 3).environments;
      first.gitops.targetRevision = 'deploy/../main';
      second.gitops.targetRevision = 'HEAD';
      third.gitops.targetRevision = 'a'.repeat(40);
      return [first, second, third].map((environment) => ({
        path: `environments.${environment.name}.gitops.targetRevision`,
        message: /^must be a branch name such as 'deploy\/prod'/,
      }));
    },
  },
  {
    name: 'a gitops path other than the folder pnpm synth writes the environment to',
    breakModel: (model) => {
      const [first, second] = withEnvironments(model, 2).environments;
      // The folder synth writes the other environment to.
      second.gitops.path = `dist/${first.name}`;
      return [
        {
          path: `environments.${second.name}.gitops.path`,
          message: new RegExp(
            `^'dist/${first.name}' is not the folder pnpm synth writes the environment '${second.name}' to; allowed: 'dist/${second.name}'$`,
          ),
        },
      ];
    },
  },
  {
    name: 'an environment in another partition than the shared services',
    breakModel: (model) => {
      const shared = RegionInfo.get(model.organization.sharedServices.region).partition;
      const region = shared === 'aws-cn' ? 'us-east-1' : 'cn-north-1';
      const environment = model.environments[0];
      moveToRegion(model, 0, region);
      return [
        {
          path: `environments.${environment.name}.region`,
          message: new RegExp(
            `^${region} is in the partition ${RegionInfo.get(region).partition}, .* in ${shared}: .*IAM grants nothing across partitions; allowed: a region of the partition ${shared}$`,
          ),
        },
      ];
    },
    context: contextWithZonesOf,
  },
  {
    name: 'an edge route on an internal service',
    breakModel: (model) => {
      const service = model.services[0];
      service.exposure = 'internal';
      service.edge = { subdomain: 'api' };
      return [{ path: `services.${service.name}.edge`, message: /only an edge service has an edge route/ }];
    },
  },
  {
    name: 'a memory request above the memory limit',
    breakModel: (model) => {
      const { resources } = model.services[0];
      resources.requests.memory = '2Gi';
      resources.limits.memory = '1Gi';
      return [
        {
          path: `services.${model.services[0].name}.resources.requests.memory`,
          message: /2Gi exceeds limits\.memory \(1Gi\); a request must be at most its limit/,
        },
      ];
    },
  },
  {
    name: 'an account whose availability zones cdk.json does not hold',
    breakModel: (model) => {
      const environment = model.environments[0];
      moveToAccount(model, 0, unusedAccount(model));
      return [
        {
          path: `environments.${environment.name}.availabilityZones`,
          message: new RegExp(
            `cdk\\.json has no availability-zone context .*add "${literal(availabilityZoneContextKey(environment))}": \\[`,
          ),
        },
      ];
    },
  },
  {
    name: 'an availability zone missing from the committed context',
    breakModel: (model) => {
      const environment = model.environments[0];
      const committed = PROJECT_CONTEXT[availabilityZoneContextKey(environment)] as string[];
      const letter = [...'abcdefghijklmnopqrstuvwxyz'].find(
        (l) =>
          !committed.includes(`${environment.region}${l}`) &&
          !environment.availabilityZones.includes(`${environment.region}${l}`),
      );
      const zone = `${environment.region}${letter}`;
      // A copy: the shipped environments may share one zone list.
      environment.availabilityZones = [...environment.availabilityZones.slice(0, 2), zone];
      return [
        {
          path: `environments.${environment.name}.availabilityZones`,
          message: new RegExp(`${zone} not in the committed context .*; allowed: ${literal(committed.join(', '))}$`),
        },
      ];
    },
  },
  {
    name: 'a release tag pinned to two digests, which one immutable ECR tag cannot name',
    breakModel: (model) => {
      const [service] = model.services;
      const [first, second] = model.environments.map((environment) => environment.name);
      const tag = '7.7.7';
      const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
      releaseOf(model, first, service.name).image = { tag: `${tag}@${digest('a')}` };
      releaseOf(model, second, service.name).image = { tag: `${tag}@${digest('b')}` };
      return [
        {
          path: `releases.${second}.${service.name}.image.tag`,
          message: new RegExp(
            `pins the tag '7\\.7\\.7' to another digest than releases\\.${first}\\.${service.name}\\.image\\.tag .*allowed: '7\\.7\\.7@${digest('a')}'`,
          ),
        },
      ];
    },
  },
  {
    name: 'a bare digest in a release, which no ECR lifecycle rule can keep',
    breakModel: (model) => {
      const [service] = model.services;
      const environment = model.environments[0].name;
      const digest = `sha256:${'d'.repeat(64)}`;
      releaseOf(model, environment, service.name).image = { tag: digest };
      return [
        {
          path: `releases.${environment}.${service.name}.image.tag`,
          message: new RegExp(
            `'${digest}' is a bare digest, .*allowed: a tag \\(e\\.g\\. '1\\.4\\.2'\\) or a tag pinned to its digest`,
          ),
        },
      ];
    },
  },
  {
    name: 'an existing GitHub OIDC provider in an account the model does not deploy to, and one listed twice',
    breakModel: (model) => {
      const stranger = unusedAccount(model);
      const shared = model.organization.sharedServices.account;
      model.organization.ci.existingOidcProviderAccounts = [shared, stranger, shared];
      return [
        {
          path: 'organization.ci.existingOidcProviderAccounts.1',
          message: new RegExp(
            `account ${stranger} is neither the shared-services account nor an environment's; allowed: ${shared}`,
          ),
        },
        {
          path: 'organization.ci.existingOidcProviderAccounts.2',
          message: new RegExp(`account ${shared} is listed twice`),
        },
      ];
    },
  },
  {
    name: "a repository's owner ID without its repository ID, and a service repository's repository ID alone",
    breakModel: (model) => {
      model.organization.ci.githubRepositoryOwnerId = 583231;
      const [service] = model.services;
      service.ci = {
        githubRepository: `${model.organization.name}/${service.name}`,
        branch: 'main',
        githubRepositoryId: 7,
      };
      return [
        {
          path: 'organization.ci.githubRepositoryId',
          message: new RegExp(
            `^is missing while githubRepositoryOwnerId is given: .*allowed: both IDs \\(gh api repos/${literal(model.organization.ci.githubRepository)} --jq '\\.id'\\), or neither`,
          ),
        },
        {
          path: `services.${service.name}.ci.githubRepositoryOwnerId`,
          message: new RegExp(
            `^is missing while githubRepositoryId is given: .*allowed: both IDs \\(gh api repos/${literal(service.ci.githubRepository)} --jq '\\.owner\\.id'\\), or neither`,
          ),
        },
      ];
    },
  },
  {
    name: "a 'platform:today' that is no date",
    breakModel: () => [{ path: 'context.platform:today', message: /"tomorrow" is no date; allowed: an ISO date/ }],
    context: () => ({ ...PROJECT_CONTEXT, 'platform:today': 'tomorrow' }),
  },
];

function issuesOf(model: PlatformModel, context: DeploymentContext): ModelIssue[] {
  return validateModel(model, context).issues;
}

describe('the validator', () => {
  it('accepts the shipped model with the project context', () => {
    expect(issuesOf(draftModel(), PROJECT_CONTEXT)).toEqual([]);
  });

  it.each(CASES)('reports exactly the problem of $name', ({ breakModel, context }) => {
    const model = draftModel();
    const expected = breakModel(model);
    expect(expected.length).toBeGreaterThan(0);

    const issues = issuesOf(model, context ? context(model) : PROJECT_CONTEXT);

    expect(issues).toEqual(expected.map(({ path, message }) => ({ path, message: expect.stringMatching(message) })));
  });

  it('accepts an environment without a hosted zone, and one whose zone is a parent of its domain', () => {
    const model = draftModel();
    const [first, second] = model.environments;
    first.edge.hostedZone = undefined;
    second.edge.hostedZone = {
      id: 'Z0123456789ABCDEFGHIJ',
      name: second.edge.domain.split('.').slice(1).join('.'),
    };
    expect(issuesOf(model, PROJECT_CONTEXT)).toEqual([]);
  });

  it("accepts an environment whose domain is one label below another's, with a route on that domain itself", () => {
    // The shipped layout (dev.acme.example.com below acme.example.com): the other environment's wildcard
    // certificate covers the name, but DNS sends it to the environment whose domain it is.
    const model = withEnvironments(draftModel(), 2);
    const [first, second] = model.environments;
    setEdgeDomain(second, `child.${first.edge.domain}`);
    addEdgeService(model, 'apex-route', { path: '/apex-route' });
    addEdgeService(model, 'named-route');
    expect(edgeRoute(second, { name: 'apex-route', edge: { path: '/apex-route' } }).host).toBe(second.edge.domain);
    expect(issuesOf(model, PROJECT_CONTEXT)).toEqual([]);
  });

  it('accepts the model with every environment in the partition of the shared services', () => {
    for (const region of ['cn-north-1', 'us-gov-west-1']) {
      const model = draftModel();
      model.organization.sharedServices.region = region;
      for (const index of model.environments.keys()) moveToRegion(model, index, region);
      expect(issuesOf(model, contextWithZonesOf(model))).toEqual([]);
    }
  });

  it("fills in each environment's gitops.path with the folder synth writes it to, given or not", () => {
    const model = draftModel();
    model.environments[0].gitops.path = `dist/${model.environments[0].name}`;
    for (const environment of model.environments.slice(1)) delete (environment.gitops as { path?: string }).path;
    const loaded = validateModel(model, PROJECT_CONTEXT).model;
    expect(loaded?.environments.map((environment) => environment.gitops.path)).toEqual(
      model.environments.map((environment) => `dist/${environment.name}`),
    );
  });

  it("fills in each environment's gitops.targetRevision: the protected branch for the first, deploy/<name> after", () => {
    const model = draftModel();
    for (const environment of model.environments)
      delete (environment.gitops as { targetRevision?: string }).targetRevision;
    const [first, ...later] = model.environments;
    expect(validateModel(model, PROJECT_CONTEXT).model?.environments.map((e) => e.gitops.targetRevision)).toEqual([
      model.organization.ci.branch,
      ...later.map((environment) => `deploy/${environment.name}`),
    ]);
    // Given ones are kept: the first may track a branch of its own, the others any branch no other one tracks.
    first.gitops.targetRevision = `gitops/${first.name}`;
    later[0].gitops.targetRevision = `gitops/${later[0].name}`;
    expect(validateModel(model, PROJECT_CONTEXT).model?.environments.map((e) => e.gitops.targetRevision)).toEqual([
      `gitops/${first.name}`,
      `gitops/${later[0].name}`,
      ...later.slice(1).map((environment) => `deploy/${environment.name}`),
    ]);
  });

  it('checks the other fields of an entry that has a malformed one', () => {
    const model = draftModel();
    const [service] = model.services;
    const [environment] = model.environments;
    service.port = 0;
    service.slo = { ...service.slo, availability: 0.999 };
    environment.account = '123';
    environment.network.flowLogRetentionDays = 45;
    model.organization.images.untaggedDays = 0;
    service.replicas = { min: 5, max: 2 };

    const paths = issuesOf(model, PROJECT_CONTEXT).map((issue) => issue.path);

    expect(paths).toEqual(
      expect.arrayContaining([
        `services.${service.name}.port`,
        `services.${service.name}.slo.availability`,
        `services.${service.name}.replicas`,
        `environments.${environment.name}.account`,
        `environments.${environment.name}.network.flowLogRetentionDays`,
        'organization.images.untaggedDays',
      ]),
    );
  });

  it('leaves out the context checks when given no context, as the cdk8s app, which reads none', () => {
    const model = draftModel();
    moveToAccount(model, 0, unusedAccount(model));
    expect(issuesOf(model, {})).not.toEqual([]);
    expect(validateModel(model).issues).toEqual([]);
  });
});
