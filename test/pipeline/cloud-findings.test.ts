import { addComplianceChecks } from '@platform/aws-platform';
import { Annotations, App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { cdkCliSettings } from '../../apps/cloud/src/cdk-cli-context';
import { assemblyFindings } from '../../apps/cloud/src/synthesize-cloud';
import { REPOSITORY_ROOT } from '../support/repo-copy';
import { tempDir } from '../support/temp-dirs';

/**
 * With the CLI's context the app does not throw on a validation failure: it writes the report, and
 * `pnpm synth` must find in it what `cdk synth` would fail on.
 */
describe('the findings of a synthesis with the CLI context', () => {
  const validation = process.env.CDK_VALIDATION;
  // aws-cdk-lib's built-in template validation is not what is tested here, and takes seconds to start.
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
  });
  afterAll(() => {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  });

  it('are the unacknowledged cdk-nag violations as errors, and the warnings of the constructs', () => {
    const app = new App({ outdir: tempDir('platform-cdk-'), context: cdkCliSettings(REPOSITORY_ROOT).context });
    const stack = new Stack(app, 'probe', { env: { account: '111111111111', region: 'us-east-1' } });
    // No dead-letter queue and no TLS-only policy: AwsSolutions-SQS3 and SQS4.
    new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    Annotations.of(stack).addWarningV2('probe:warning', 'a warning of the probe');
    addComplianceChecks(app);

    const findings = assemblyFindings(app.synth());

    expect(findings.filter((finding) => finding.error).map((finding) => finding.text)).toEqual([
      expect.stringMatching(/^\[Error at \/probe\/Careless\/Resource\] AwsSolutions-SQS3: /),
      expect.stringMatching(/^\[Error at \/probe\/Careless\/Resource\] AwsSolutions-SQS4: /),
    ]);
    expect(findings.filter((finding) => !finding.error).map((finding) => finding.text)).toEqual([
      '[Warning at /probe] a warning of the probe [ack: probe:warning]',
    ]);
  });
});
