import { readdirSync } from 'node:fs';
import { CRD_DIRECTORY, loadCrdValidators } from './support/crd-schemas';
import { droppedFields, isKubernetes128Kind, roundTripThrough128 } from './support/kubernetes-128';
import { findObject, type RenderedObject, renderModel } from './support/rendered';

const rendered = renderModel();
const crds = loadCrdValidators();
const isBuiltIn = (file: RenderedObject) =>
  !file.object.apiVersion.includes('.') ||
  (file.object.apiVersion.includes('.k8s.io/') && isKubernetes128Kind(file.object.apiVersion, file.object.kind));
const builtIns = rendered.filter(isBuiltIn);
const customResources = rendered.filter((file) => !isBuiltIn(file));

/** kubernetes-models' class for an object, e.g. `apps/v1` Deployment → kubernetes-models/apps/v1 Deployment. */
function kubernetesModel(apiVersion: string, kind: string): { new (data: unknown): { validate(): void } } {
  return require(`kubernetes-models/${apiVersion}`)[kind];
}

describe('every rendered object is valid for the API that serves it', () => {
  it('renders all three environments, with built-in and custom objects in each', () => {
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(builtIns.filter((file) => file.environment === environment).length).toBeGreaterThan(20);
      expect(customResources.filter((file) => file.environment === environment).length).toBeGreaterThan(20);
    }
  });

  it.each(builtIns.map((file) => [file.path, file]))(
    '%s is a GA Kubernetes 1.28 kind whose fields 1.28 knows and kubernetes-models accepts',
    (_path, file) => {
      const { apiVersion, kind } = file.object;
      expect(isKubernetes128Kind(apiVersion, kind)).toBe(true);
      expect(apiVersion).toMatch(/(^|\/)v\d+$/); // no alpha or beta API
      expect(droppedFields(file.object, roundTripThrough128(file.object))).toEqual([]);
      const Model = kubernetesModel(apiVersion, kind);
      expect(Model).toBeDefined();
      expect(() => new Model(file.object).validate()).not.toThrow();
    },
  );

  it.each(customResources.map((file) => [file.path, file]))(
    '%s matches the openAPIV3Schema of its served CRD version, with unknown fields rejected',
    (_path, file) => {
      const { apiVersion, kind, metadata } = file.object;
      const crd = crds.get(`${apiVersion}/${kind}`);
      expect(crd).toBeDefined();
      if (!crd) return;
      const valid = crd.validate(file.object);
      expect(crd.validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      expect(metadata.namespace !== undefined).toBe(crd.scope === 'Namespaced');
      expect(
        Object.keys(metadata).filter(
          (key) => !['name', 'namespace', 'labels', 'annotations', 'finalizers'].includes(key),
        ),
      ).toEqual([]);
    },
  );
});

describe('the validators themselves', () => {
  const deployment = findObject(rendered, 'prod', 'Deployment', 'order-service');
  const externalSecret = findObject(rendered, 'prod', 'ExternalSecret', 'order-service-postgres');

  it('read the CRDs from ../shared/crds beside the repository', () => {
    expect(readdirSync(CRD_DIRECTORY)).toContain('argo-cd');
    expect([...crds.keys()]).toEqual(
      expect.arrayContaining(['argoproj.io/v1alpha1/Application', 'karpenter.sh/v1/NodePool']),
    );
    // v1beta1 of External Secrets is in the file but no longer served.
    expect(crds.has('external-secrets.io/v1beta1/ExternalSecret')).toBe(false);
  });

  it('reject a field that Kubernetes 1.28 does not have (a later release added it)', () => {
    const withStopSignal = structuredClone(deployment);
    withStopSignal.spec.template.spec.containers[0].lifecycle.stopSignal = 'SIGTERM';
    expect(droppedFields(withStopSignal, roundTripThrough128(withStopSignal))).toEqual([
      'spec.template.spec.containers[0].lifecycle.stopSignal',
    ]);
  });

  it('reject a misspelt field of a built-in kind', () => {
    const misspelt = structuredClone(deployment);
    misspelt.spec.template.spec.containers[0].readinesProbe = {};
    expect(droppedFields(misspelt, roundTripThrough128(misspelt))).toEqual([
      'spec.template.spec.containers[0].readinesProbe',
    ]);
  });

  it('reject a wrong type in a built-in kind', () => {
    const wrongType = structuredClone(deployment);
    wrongType.spec.revisionHistoryLimit = 'five';
    const Model = kubernetesModel('apps/v1', 'Deployment');
    expect(() => new Model(wrongType).validate()).toThrow();
  });

  it('reject an unknown field and a wrong enum value in a custom resource', () => {
    const crd = crds.get('external-secrets.io/v1/ExternalSecret');
    const unknownField = structuredClone(externalSecret);
    unknownField.spec.target.creationPolicyy = 'Owner';
    expect(crd?.validate(unknownField)).toBe(false);
    const wrongEnum = structuredClone(externalSecret);
    wrongEnum.spec.secretStoreRef.kind = 'SecretStoreCluster';
    expect(crd?.validate(wrongEnum)).toBe(false);
  });

  it('know that 1.28 serves no Ingress in extensions/v1beta1 and no autoscaling/v2beta2', () => {
    expect(isKubernetes128Kind('networking.k8s.io/v1', 'Ingress')).toBe(true);
    expect(isKubernetes128Kind('extensions/v1beta1', 'Ingress')).toBe(false);
    expect(isKubernetes128Kind('autoscaling/v2beta2', 'HorizontalPodAutoscaler')).toBe(false);
  });
});
