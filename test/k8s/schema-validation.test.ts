import { loadModel, loadPlatformModel, platformModelInput, SUPPORTED_KUBERNETES_VERSIONS } from '@platform/model';
import { loadCrdValidators } from './support/crd-schemas';
import { creationRules, failedRules } from './support/crd-validation-rules';
import { droppedFields, isKubernetes128Kind, roundTripThrough128, unservedFields } from './support/kubernetes-128';
import { findObject, type RenderedObject, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);
const kubernetesVersion = (environment: string) =>
  model.environments.find((candidate) => candidate.name === environment)?.cluster.kubernetesVersion ?? '?';
const crds = loadCrdValidators();
const isBuiltIn = (file: RenderedObject) =>
  !file.object.apiVersion.includes('.') ||
  (file.object.apiVersion.includes('.k8s.io/') && isKubernetes128Kind(file.object.apiVersion, file.object.kind));
const builtIns = rendered.filter(isBuiltIn);
const customResources = rendered.filter((file) => !isBuiltIn(file));
/** The CRDs' CEL validation rules (x-kubernetes-validations) for each custom resource, and those that fail. */
const ruleChecks = customResources.map((file) => {
  const crd = crds.get(`${file.object.apiVersion}/${file.object.kind}`);
  return crd ? creationRules(crd.schema, file.object) : [];
});
const ruleFailures = failedRules(ruleChecks);
const ruleFailuresByPath = new Map(customResources.map((file, index) => [file.path, ruleFailures[index]]));

/** kubernetes-models' class for an object, e.g. `apps/v1` Deployment → kubernetes-models/apps/v1 Deployment. */
function kubernetesModel(apiVersion: string, kind: string): { new (data: unknown): { validate(): void } } {
  return require(`kubernetes-models/${apiVersion}`)[kind];
}

describe('every rendered object is valid for the API that serves it', () => {
  it('renders every environment of the model, with built-in and custom objects in each', () => {
    expect(model.environments.length).toBeGreaterThan(0);
    for (const { name: environment } of model.environments) {
      expect(builtIns.filter((file) => file.environment === environment).length).toBeGreaterThan(20);
      expect(customResources.filter((file) => file.environment === environment).length).toBeGreaterThan(20);
    }
  });

  it.each(builtIns.map((file) => [file.path, file]))(
    '%s is a GA Kubernetes 1.28 kind whose fields 1.28 knows (or its cluster serves GA) and kubernetes-models accepts',
    (_path, file) => {
      const { apiVersion, kind } = file.object;
      expect(isKubernetes128Kind(apiVersion, kind)).toBe(true);
      expect(apiVersion).toMatch(/(^|\/)v\d+$/); // no alpha or beta API
      const dropped = droppedFields(file.object, roundTripThrough128(file.object));
      expect(unservedFields(dropped, kubernetesVersion(file.environment))).toEqual([]);
      const Model = kubernetesModel(apiVersion, kind);
      expect(Model).toBeDefined();
      expect(() => new Model(file.object).validate()).not.toThrow();
    },
  );

  it('renders only Kubernetes 1.28 fields for an environment that runs 1.28', () => {
    const input = structuredClone(platformModelInput);
    for (const environment of input.environments) environment.cluster.kubernetesVersion = '1.28';
    const objects = renderModel(loadModel(input)).filter(isBuiltIn);
    expect(objects.length).toBe(builtIns.length);
    for (const file of objects) {
      expect([file.path, droppedFields(file.object, roundTripThrough128(file.object))]).toEqual([file.path, []]);
    }
  });

  it.each(customResources.map((file) => [file.path, file]))(
    '%s matches the openAPIV3Schema of its served CRD version (unknown fields rejected, CEL rules hold)',
    (_path, file) => {
      expect(ruleFailuresByPath.get(file.path)).toEqual([]);
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
  // Objects to break: a service's Deployment on a cluster that serves the preStop sleep action (the newest
  // Kubernetes of the catalogue), and an ExternalSecret; a service with a database is made if there is none.
  const input = structuredClone(platformModelInput);
  const [newest] = input.environments;
  newest.cluster.kubernetesVersion = SUPPORTED_KUBERNETES_VERSIONS[SUPPORTED_KUBERNETES_VERSIONS.length - 1];
  const [subject] = input.services;
  subject.dependencies = { ...subject.dependencies, database: true };
  const objects = renderModel(loadModel(input));
  const deployment = findObject(objects, newest.name, 'Deployment', subject.name);
  const externalSecret = findObject(objects, newest.name, 'ExternalSecret', `${subject.name}-postgres`);

  it('read the pinned upstream CRDs from the clone', () => {
    expect([...crds.keys()]).toEqual(
      expect.arrayContaining(['argoproj.io/v1alpha1/Application', 'karpenter.sh/v1/NodePool']),
    );
    // v1beta1 of External Secrets is in the file but no longer served.
    expect(crds.has('external-secrets.io/v1beta1/ExternalSecret')).toBe(false);
  });

  it('reject a field that Kubernetes 1.28 does not have and 1.35 does not serve GA (alpha in 1.33)', () => {
    const withStopSignal = structuredClone(deployment);
    withStopSignal.spec.template.spec.containers[0].lifecycle.stopSignal = 'SIGTERM';
    const dropped = droppedFields(withStopSignal, roundTripThrough128(withStopSignal));
    expect(unservedFields(dropped, '1.35')).toEqual(['spec.template.spec.containers[0].lifecycle.stopSignal']);
  });

  it('accept the preStop sleep action only on a cluster that serves it GA (1.34 and later)', () => {
    const dropped = droppedFields(deployment, roundTripThrough128(deployment));
    expect(dropped).toEqual(['spec.template.spec.containers[0].lifecycle.preStop.sleep']);
    expect(unservedFields(dropped, '1.35')).toEqual([]);
    expect(unservedFields(dropped, '1.33')).toEqual(dropped);
    expect(unservedFields(dropped, '1.28')).toEqual(dropped);
  });

  it('reject a wrong type in a field newer than 1.28', () => {
    const wrongType = structuredClone(deployment);
    wrongType.spec.template.spec.containers[0].lifecycle.preStop.sleep = { seconds: 'ten' };
    const Model = kubernetesModel('apps/v1', 'Deployment');
    expect(() => new Model(wrongType).validate()).toThrow();
  });

  it('reject a misspelt field of a built-in kind', () => {
    const misspelt = structuredClone(deployment);
    misspelt.spec.template.spec.containers[0].readinesProbe = {};
    const dropped = droppedFields(misspelt, roundTripThrough128(misspelt));
    expect(unservedFields(dropped, '1.35')).toEqual(['spec.template.spec.containers[0].readinesProbe']);
  });

  it('reject a wrong type in a built-in kind', () => {
    const wrongType = structuredClone(deployment);
    wrongType.spec.revisionHistoryLimit = 'five';
    const Model = kubernetesModel('apps/v1', 'Deployment');
    expect(() => new Model(wrongType).validate()).toThrow();
  });

  it('evaluate the CEL rules of the CRDs: a good number of them apply, and a broken value fails its rule', () => {
    expect(ruleChecks.flat().length).toBeGreaterThan(100);
    const nodeClass = findObject(objects, newest.name, 'EC2NodeClass', 'default');
    const crd = crds.get('karpenter.k8s.aws/v1/EC2NodeClass');
    const broken = structuredClone(nodeClass);
    broken.spec.amiSelectorTerms = [{ alias: 'amazonlinux@v20260903' }];
    const nodePool = findObject(objects, newest.name, 'NodePool', 'spot');
    const restricted = structuredClone(nodePool);
    restricted.spec.template.spec.requirements.push({ key: 'karpenter.sh/nodepool-x', operator: 'In', values: ['a'] });
    const pool = crds.get('karpenter.sh/v1/NodePool');
    if (!crd || !pool) throw new Error('Karpenter CRDs missing');
    const [good, badFamily, badKey] = failedRules([
      creationRules(crd.schema, nodeClass),
      creationRules(crd.schema, broken),
      creationRules(pool.schema, restricted),
    ]);
    expect(good).toEqual([]);
    expect(badFamily.join('\n')).toMatch(/family is not supported/);
    expect(badKey.join('\n')).toMatch(/requirements\[\d+\]\.key: .*restricted/);
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
