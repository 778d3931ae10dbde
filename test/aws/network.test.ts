import { ModelSubnetAddresses, NetworkStack } from '@platform/aws-platform';
import { planSubnets } from '@platform/model';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { testCdkApp } from '../support/cdk-app';
import { escapeRegExp } from '../support/model-facts';
import { type CloudTemplates, MODEL_ENVIRONMENTS, resourcesOfType, shippedCloud } from './cloud-assembly';

let synthesized: CloudTemplates;
beforeAll(() => {
  synthesized = shippedCloud();
});

function tagValue(properties: Record<string, unknown>, key: string): string | undefined {
  const tags = (properties.Tags ?? []) as { Key: string; Value: string }[];
  return tags.find((tag) => tag.Key === key)?.Value;
}

const TIER_OF_CDK_SUBNET_TYPE: Record<string, string> = { Public: 'public', Private: 'private', Isolated: 'isolated' };

describe.each(MODEL_ENVIRONMENTS)('%s network', (name) => {
  const environment = () => synthesized.environment(name);
  const naming = () => synthesized.naming(name);
  const template = () => synthesized.template(`${name}-network`);

  test('the VPC has the model CIDR and exactly the planned subnets, tier by tier and AZ by AZ', () => {
    template().hasResourceProperties('AWS::EC2::VPC', { CidrBlock: environment().network.vpcCidr });
    const subnets = Object.values(resourcesOfType(template(), 'AWS::EC2::Subnet')).map(({ Properties }) => ({
      tier: TIER_OF_CDK_SUBNET_TYPE[tagValue(Properties, 'aws-cdk:subnet-type') ?? ''],
      availabilityZone: Properties.AvailabilityZone,
      cidr: Properties.CidrBlock,
    }));
    const byKey = (a: { tier: string; cidr: unknown }, b: { tier: string; cidr: unknown }) =>
      `${a.tier}${a.cidr}`.localeCompare(`${b.tier}${b.cidr}`);
    expect(subnets.sort(byKey)).toEqual(
      planSubnets(environment())
        .map((plan) => ({ tier: plan.tier, availabilityZone: plan.availabilityZone, cidr: plan.cidr }))
        .sort(byKey),
    );
  });

  test('the VPC carries the contract name the load balancer controller looks it up by', () => {
    template().hasResourceProperties('AWS::EC2::VPC', {
      Tags: Match.arrayWith([{ Key: 'Name', Value: naming().vpcName }]),
    });
  });

  test('NAT gateways follow the model', () => {
    const expected = environment().network.natGateways === 'single' ? 1 : environment().availabilityZones.length;
    template().resourceCountIs('AWS::EC2::NatGateway', expected);
  });

  test('public subnets are tagged for internet-facing and private subnets for internal load balancers and Karpenter', () => {
    const subnets = Object.values(resourcesOfType(template(), 'AWS::EC2::Subnet')).map(({ Properties }) => Properties);
    const { key, value } = naming().karpenterDiscoveryTag;
    for (const subnet of subnets) {
      const type = tagValue(subnet, 'aws-cdk:subnet-type');
      expect(tagValue(subnet, 'kubernetes.io/role/elb')).toBe(type === 'Public' ? '1' : undefined);
      expect(tagValue(subnet, 'kubernetes.io/role/internal-elb')).toBe(type === 'Private' ? '1' : undefined);
      expect(tagValue(subnet, key)).toBe(type === 'Private' ? value : undefined);
    }
  });

  test('flow logs of all traffic go to an encrypted log group with the model retention', () => {
    template().hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    const logGroups = Object.values(resourcesOfType(template(), 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(1);
    const { LogGroupName, RetentionInDays, KmsKeyId } = logGroups[0].Properties;
    expect(RetentionInDays).toBe(environment().network.flowLogRetentionDays);
    const [keyId] = (KmsKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
    const key = resourcesOfType(template(), 'AWS::KMS::Key')[keyId].Properties;
    expect(key.EnableKeyRotation).toBe(true);
    // CloudWatch Logs may use the key for this log group of this account only.
    const { account, region } = environment();
    const logsStatements = (
      key.KeyPolicy as { Statement: { Principal: unknown; Condition?: unknown }[] }
    ).Statement.filter((statement) => JSON.stringify(statement.Principal).includes('logs.'));
    expect(logsStatements.map((statement) => statement.Condition)).toEqual([
      {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${account}:log-group:${LogGroupName}`,
        },
      },
    ]);
  });

  test('S3 has a gateway endpoint; interface endpoints exist only where the model switches them on', () => {
    template().hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    const interfaces = Object.values(resourcesOfType(template(), 'AWS::EC2::VPCEndpoint')).filter(
      ({ Properties }) => Properties.VpcEndpointType === 'Interface',
    );
    const services = interfaces.map(({ Properties }) => String(Properties.ServiceName).split('.').slice(3).join('.'));
    if (environment().network.interfaceEndpoints) {
      expect(services.sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sqs', 'sts', 'xray']);
    } else {
      expect(services).toEqual([]);
    }
  });

  test('the VPC resolves names, so the cluster and the interface endpoints’ private DNS work', () => {
    template().hasResourceProperties('AWS::EC2::VPC', { EnableDnsHostnames: true, EnableDnsSupport: true });
    for (const { Properties } of Object.values(resourcesOfType(template(), 'AWS::EC2::VPCEndpoint'))) {
      if (Properties.VpcEndpointType === 'Interface') expect(Properties.PrivateDnsEnabled).toBe(true);
    }
  });

  test('interface endpoints, where there are any, admit HTTPS from the VPC only', () => {
    const groups = Object.values(resourcesOfType(template(), 'AWS::EC2::SecurityGroup')).filter(
      ({ Properties }) => Properties.GroupDescription === 'Interface endpoints, HTTPS from inside the VPC',
    );
    expect(groups).toHaveLength(environment().network.interfaceEndpoints ? 1 : 0);
    for (const { Properties } of groups) {
      expect(Properties.SecurityGroupIngress).toEqual([
        expect.objectContaining({ CidrIp: environment().network.vpcCidr, FromPort: 443, ToPort: 443 }),
      ]);
    }
  });

  test('public subnets route to the internet gateway, private ones to a NAT gateway, isolated ones nowhere outside the VPC', () => {
    const subnets = resourcesOfType(template(), 'AWS::EC2::Subnet');
    const tierOf = (subnetId: string) =>
      TIER_OF_CDK_SUBNET_TYPE[tagValue(subnets[subnetId].Properties, 'aws-cdk:subnet-type') ?? ''];
    const tableTier = new Map(
      Object.values(resourcesOfType(template(), 'AWS::EC2::SubnetRouteTableAssociation')).map(({ Properties }) => [
        (Properties.RouteTableId as { Ref: string }).Ref,
        tierOf((Properties.SubnetId as { Ref: string }).Ref),
      ]),
    );
    const routes = Object.values(resourcesOfType(template(), 'AWS::EC2::Route')).map(({ Properties }) => ({
      tier: tableTier.get((Properties.RouteTableId as { Ref: string }).Ref),
      destination: Properties.DestinationCidrBlock,
      via: Properties.GatewayId ? 'internet gateway' : Properties.NatGatewayId ? 'NAT gateway' : 'other',
    }));
    const zones = environment().availabilityZones.length;
    expect(routes.filter((route) => route.tier === 'public')).toEqual(
      Array(zones).fill({ tier: 'public', destination: '0.0.0.0/0', via: 'internet gateway' }),
    );
    expect(routes.filter((route) => route.tier === 'private')).toEqual(
      Array(zones).fill({ tier: 'private', destination: '0.0.0.0/0', via: 'NAT gateway' }),
    );
    expect(routes.filter((route) => route.tier !== 'public' && route.tier !== 'private')).toEqual([]);
    for (const { Properties } of Object.values(subnets)) {
      expect(Properties.MapPublicIpOnLaunch).toBe(tagValue(Properties, 'aws-cdk:subnet-type') === 'Public');
    }
  });

  test('every resource carries the environment, owner and cost-center tags', () => {
    template().hasResourceProperties('AWS::EC2::VPC', {
      Tags: Match.arrayWith([
        { Key: 'cost-center', Value: environment().tags.costCenter },
        { Key: 'environment', Value: name },
        { Key: 'owner', Value: environment().tags.owner },
      ]),
    });
  });
});

test('a subnet the plan does not hold is a user error naming the environment and its AZs', () => {
  const [environment] = synthesized.model.environments;
  const addresses = new ModelSubnetAddresses(environment);
  const elsewhere = [...'abcdefghijklmnopqrstuvwxyz']
    .map((letter) => `${environment.region}${letter}`)
    .find((zone) => !environment.availabilityZones.includes(zone));
  expect(() =>
    addresses.allocateSubnetsCidr({
      vpcCidr: environment.network.vpcCidr,
      requestedSubnets: [
        {
          availabilityZone: String(elsewhere),
          subnetConstructId: 'x',
          configuration: { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS },
        },
      ],
    }),
  ).toThrow(
    new RegExp(
      [`environment '${environment.name}'`, String(elsewhere), environment.availabilityZones.join(', ')]
        .map(escapeRegExp)
        .join('.*'),
    ),
  );
});

test('a different layout in the model yields exactly its planned subnets too', () => {
  const [shipped] = synthesized.model.environments;
  const environment = {
    ...shipped,
    network: { ...shipped.network, vpcCidr: '10.99.0.0/20', subnetPrefixes: { public: 26, private: 22, isolated: 27 } },
  };
  const stack = new NetworkStack(testCdkApp(), 'layout-network', {
    env: { account: environment.account, region: environment.region },
    organization: synthesized.model.organization,
    environment,
  });
  const subnets = Object.values(resourcesOfType(Template.fromStack(stack), 'AWS::EC2::Subnet'))
    .map(({ Properties }) => `${Properties.AvailabilityZone} ${Properties.CidrBlock}`)
    .sort();
  expect(subnets).toEqual(
    planSubnets(environment)
      .map((plan) => `${plan.availabilityZone} ${plan.cidr}`)
      .sort(),
  );
  expect(subnets).toContain(`${shipped.availabilityZones[0]} 10.99.0.0/22`);
});
