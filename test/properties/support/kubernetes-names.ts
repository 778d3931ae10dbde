/**
 * The API server's rules for object names, namespaces, label keys and values, and annotation keys, as facts
 * (k8s.io/apimachinery v0.35 pkg/util/validation/validation.go and pkg/api/validation; k8s.io/kubernetes v1.35
 * pkg/apis/{core,apps,batch,rbac}/validation). Each check returns the problems it finds, empty when all is well.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A qualified name (label key name part, label value): alphanumerics at both ends, `-_.` inside. */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

type NameRule = 'dns1123-label' | 'dns1035-label' | 'dns1123-subdomain' | 'path-segment';

/** The rule of each kind whose name is not a DNS-1123 subdomain (the rule of every other kind and of custom resources). */
const NAME_RULES: Readonly<Record<string, { readonly rule: NameRule; readonly max?: number }>> = {
  Namespace: { rule: 'dns1123-label' },
  // ValidateServiceName: a DNS-1035 label, since the name becomes a DNS name and environment variable names.
  Service: { rule: 'dns1035-label' },
  Role: { rule: 'path-segment' },
  ClusterRole: { rule: 'path-segment' },
  RoleBinding: { rule: 'path-segment' },
  ClusterRoleBinding: { rule: 'path-segment' },
  // The Job controller puts the name into the `job-name` label; a CronJob appends an 11-character suffix.
  Job: { rule: 'dns1123-subdomain', max: LABEL_MAX },
  CronJob: { rule: 'dns1123-subdomain', max: 52 },
};

function nameProblem(name: unknown, rule: NameRule, max: number): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is missing';
  if (name.length > max) return `has ${name.length} characters (at most ${max})`;
  switch (rule) {
    case 'dns1123-label':
      return DNS1123_LABEL.test(name) ? undefined : 'is not a DNS-1123 label';
    case 'dns1035-label':
      return DNS1035_LABEL.test(name) ? undefined : 'is not a DNS-1035 label';
    case 'dns1123-subdomain':
      return DNS1123_SUBDOMAIN.test(name) ? undefined : 'is not a DNS-1123 subdomain';
    case 'path-segment':
      return name === '.' || name === '..' || /[/%]/.test(name) ? 'is not a path segment' : undefined;
  }
}

/** Whether a kind's object name and its namespace are names the API server accepts. */
export function objectNameProblems(object: {
  readonly kind: string;
  readonly metadata: { readonly name?: unknown; readonly namespace?: unknown };
}): string[] {
  const { rule, max } = NAME_RULES[object.kind] ?? { rule: 'dns1123-subdomain' };
  const defaultMax = rule === 'dns1123-label' || rule === 'dns1035-label' ? LABEL_MAX : SUBDOMAIN_MAX;
  const problems: string[] = [];
  const name = nameProblem(object.metadata.name, rule, max ?? defaultMax);
  if (name) problems.push(`${object.kind} name '${String(object.metadata.name)}' ${name}`);
  if (object.metadata.namespace !== undefined) {
    const namespace = nameProblem(object.metadata.namespace, 'dns1123-label', LABEL_MAX);
    if (namespace) problems.push(`${object.kind} namespace '${String(object.metadata.namespace)}' ${namespace}`);
  }
  return problems;
}

/** A label or annotation key: an optional DNS-1123 subdomain prefix and `/`, then a qualified name of ≤ 63. */
export function keyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `key '${key}' has more than one '/'`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > SUBDOMAIN_MAX || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `key '${key}' has a prefix that is not a DNS-1123 subdomain`;
  }
  if (name.length === 0 || name.length > LABEL_MAX || !QUALIFIED_NAME.test(name)) {
    return `key '${key}' has a name that is not a qualified name of at most 63 characters`;
  }
  return undefined;
}

/** A label value: empty, or a qualified name of at most 63 characters. */
export function labelValueProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `label '${key}' has a non-string value ${JSON.stringify(value)}`;
  if (value === '') return undefined;
  if (value.length > LABEL_MAX) return `label '${key}' value '${value}' has ${value.length} characters (at most 63)`;
  return QUALIFIED_NAME.test(value) ? undefined : `label '${key}' value '${value}' is not a valid label value`;
}

/**
 * Every label map of an object — `metadata.labels` at any depth (pod templates, Helm values) and every selector's
 * `matchLabels` — and every annotation key, checked as the API server checks them.
 */
export function labelProblems(object: unknown): string[] {
  const problems: string[] = [];
  const checkLabels = (labels: unknown, where: string) => {
    if (!isRecord(labels)) return;
    for (const [key, value] of Object.entries(labels)) {
      const problem = keyProblem(key) ?? labelValueProblem(key, value);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  };
  const visit = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        visit(item, `${path}[${index}]`);
      });
      return;
    }
    if (!isRecord(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (key === 'metadata' && isRecord(value)) {
        checkLabels(value.labels, `${at}.labels`);
        if (isRecord(value.annotations)) {
          for (const annotation of Object.keys(value.annotations)) {
            const problem = keyProblem(annotation);
            if (problem) problems.push(`${at}.annotations: ${problem}`);
          }
        }
      }
      if (key === 'matchLabels') checkLabels(value, at);
      visit(value, at);
    }
  };
  visit(object, '');
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
