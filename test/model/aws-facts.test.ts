import { CLOUDWATCH_LOGS_RETENTION_DAYS, instanceArchitecture } from '@platform/model';
import { InstanceArchitecture, InstanceClass, InstanceSize, InstanceType } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

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
});
