/**
 * The quota rule on many sizes: a quota that holds a team's services exactly at their peak is accepted, one
 * millicore or one MiB less is not. Decimal quantities summed as binary fractions would refuse exact fits
 * (3 × `9m` came out above `27m`).
 */
import { type QuotaConsumer, ROLLOUT_SURGE, teamQuotaIssues } from '@platform/model';
import fc from 'fast-check';
import { QUICK_SEED } from './support/property-runs';

const service = fc.record({
  cpuMillicores: fc.integer({ min: 1, max: 4000 }),
  cpuAsCores: fc.boolean(),
  memoryMi: fc.integer({ min: 1, max: 8192 }),
  max: fc.integer({ min: 1, max: 20 }),
});

/** `250m`, or `0.25` when written in cores. */
const cpu = (millicores: number, asCores: boolean) => (asCores ? String(millicores / 1000) : `${millicores}m`);

test('a quota that holds the services exactly at their peak is accepted; one unit less is refused', () => {
  fc.assert(
    fc.property(fc.array(service, { minLength: 1, maxLength: 12 }), fc.boolean(), (entries, quotaAsCores) => {
      const services: QuotaConsumer[] = entries.map((entry, index) => ({
        name: `s${index}`,
        team: 't',
        replicas: { min: 1, max: entry.max },
        resources: {
          requests: { cpu: cpu(entry.cpuMillicores, entry.cpuAsCores), memory: '1Mi' },
          limits: { memory: `${entry.memoryMi}Mi` },
        },
      }));
      const peak = (entry: (typeof entries)[number]) => entry.max + ROLLOUT_SURGE;
      const pods = entries.reduce((sum, entry) => sum + peak(entry), 0);
      const millicores = entries.reduce((sum, entry) => sum + peak(entry) * entry.cpuMillicores, 0);
      const mebibytes = entries.reduce((sum, entry) => sum + peak(entry) * entry.memoryMi, 0);
      const quota = (less: number) => ({
        pods: pods - less,
        cpu: cpu(millicores - less, quotaAsCores),
        memory: `${mebibytes - less}Mi`,
      });
      expect(teamQuotaIssues({ name: 't', quota: quota(0) }, services)).toEqual([]);
      expect(teamQuotaIssues({ name: 't', quota: quota(1) }, services).map((issue) => issue.path)).toEqual([
        'teams.t.quota.pods',
        'teams.t.quota.memory',
        'teams.t.quota.cpu',
      ]);
    }),
    {
      seed: QUICK_SEED,
      numRuns: 500,
      examples: [[[{ cpuMillicores: 9, cpuAsCores: false, memoryMi: 1, max: 2 }], false]],
    },
  );
});
