import {
  CLOUDWATCH_LOGS_RETENTION_DAYS,
  dnsSuffixOf,
  EnvironmentSchema,
  instanceArchitecture,
  partitionOf,
} from '@platform/model';
import { InstanceArchitecture, InstanceClass, InstanceSize, InstanceType } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The model package keeps copies of library facts (aws-facts.ts); an upgrade that changes them fails here. */
describe('the AWS facts of the model package', () => {
  it("list exactly aws-cdk-lib's CloudWatch Logs retention periods, INFINITE aside", () => {
    const library = Object.values(RetentionDays).filter(
      (days): days is number => typeof days === 'number' && days !== RetentionDays.INFINITE,
    );
    expect([...CLOUDWATCH_LOGS_RETENTION_DAYS].sort((a, b) => a - b)).toEqual(library.sort((a, b) => a - b));
  });

  it('give every instance type aws-cdk-lib knows the architecture aws-cdk-lib gives it, and none where it throws', () => {
    const types = [...new Set(Object.values(InstanceClass))].flatMap((instanceClass) =>
      [InstanceSize.LARGE, InstanceSize.XLARGE2, InstanceSize.METAL].map((size) => `${instanceClass}.${size}`),
    );
    const library = (type: string) => {
      try {
        return new InstanceType(type).architecture === InstanceArchitecture.ARM_64 ? 'arm64' : 'x86_64';
      } catch {
        return undefined;
      }
    };
    expect(types.length).toBeGreaterThan(500);
    expect(types.filter((type) => instanceArchitecture(type) !== library(type))).toEqual([]);
    // Both kinds occur, so the comparison covers both branches.
    expect(new Set(types.map(library))).toEqual(new Set(['arm64', 'x86_64', undefined]));
  });

  it("give every region the schema accepts aws-cdk-lib's partition and endpoint suffix", () => {
    const regions = RegionInfo.regions.filter((info) => EnvironmentSchema.shape.region.safeParse(info.name).success);
    const model = regions.map(({ name }) => ({ name, partition: partitionOf(name), suffix: dnsSuffixOf(name) }));
    const library = regions.map(({ name, partition, domainSuffix }) => ({ name, partition, suffix: domainSuffix }));
    expect(model).toEqual(library);
    // Every partition the schema lets in occurs, so each branch is compared.
    expect(new Set(library.map((region) => region.partition))).toEqual(new Set(['aws', 'aws-cn', 'aws-us-gov']));
  });
});
