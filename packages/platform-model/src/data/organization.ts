import type { Organization } from '../schema';

/** Who runs the platform. Replace the placeholder account with your shared-services account. */
export const organization: Organization = {
  name: 'acme',
  sharedServices: { account: '444444444444', region: 'us-east-1' },
  ci: { githubRepository: 'acme/platform', branch: 'main' },
  images: { buildTagPrefix: 'build-', buildTagDays: 30, untaggedDays: 7, releaseTagPatterns: ['*.*.*'] },
  tags: { owner: 'platform-team', costCenter: 'cc-1234' },
};
