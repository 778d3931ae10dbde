import { loadPlatformModel } from '@platform/model';

describe('the shipped model', () => {
  it('is valid and names the three environments and the seed services', () => {
    const model = loadPlatformModel();
    expect(model.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(model.services.map((s) => s.name)).toEqual(['order-service', 'user-service', 'notification-service']);
  });
});
