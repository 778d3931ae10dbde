import { loadPlatformModel } from '@platform/model';

describe('the shipped model', () => {
  it('is valid, with at least one environment and uniquely named entries', () => {
    const model = loadPlatformModel();
    expect(model.environments.length).toBeGreaterThan(0);
    for (const list of [model.environments, model.teams, model.services, model.queues]) {
      const names = list.map((entry) => entry.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});
