import { k8s } from 'cdk8s-plus-28';

/**
 * The API groups Kubernetes serves itself (1.28, the GVKs of cdk8s-plus-28's k8s import): a kind of any other
 * group is a custom resource, which needs its CRD installed first.
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(
  Object.values(k8s).flatMap((member) => {
    const gvk = (member as { GVK?: { apiVersion: string } }).GVK;
    return gvk ? [gvk.apiVersion.includes('/') ? gvk.apiVersion.split('/')[0] : ''] : [];
  }),
);

/**
 * The cluster-scoped built-in kinds of Kubernetes 1.28, as `<group>/<kind>` (`kubectl api-resources
 * --namespaced=false` on a 1.28 API server, alpha APIs included); every other built-in kind is namespaced.
 */
export const CLUSTER_SCOPED_BUILT_IN_KINDS: ReadonlySet<string> = new Set([
  '/ComponentStatus',
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'authentication.k8s.io/SelfSubjectReview',
  'authentication.k8s.io/TokenReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'authorization.k8s.io/SubjectAccessReview',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'internal.apiserver.k8s.io/StorageVersion',
  'networking.k8s.io/ClusterCIDR',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/IngressClass',
  'node.k8s.io/RuntimeClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/ResourceClass',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
]);

/** The API group of an apiVersion: `''` for the core group (`v1`). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
