/**
 * A reader of the Alertmanager configuration as the kube-prometheus-stack Application in dist/ hands it to the
 * chart: which route an alert takes (Alertmanager's routing: the first matching child route wins, `continue` goes
 * on to the next), what each receiver delivers to, and which Secrets Manager secret each credential file comes
 * from (volume mount → Kubernetes Secret key → ExternalSecret → remote key). Anything it does not understand
 * throws, so a configuration it cannot judge fails the tests instead of passing them.
 */

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML has no static shape
type Json = Record<string, any>;

export type Labels = Readonly<Record<string, string>>;

export interface Route {
  readonly receiver?: string;
  readonly matchers?: readonly string[];
  readonly routes?: readonly Route[];
  readonly continue?: boolean;
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
}

/** A route as it applies to an alert: its own settings, inherited from its parents where it has none. */
export interface ResolvedRoute {
  readonly receiver: string;
  readonly matchers: readonly string[];
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
}

interface Matcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"]*?))\s*$/;

export function parseMatcher(text: string): Matcher {
  const match = MATCHER.exec(text);
  if (!match) throw new Error(`cannot read the matcher '${text}'`);
  const [, name, op, quoted, bare] = match;
  return { name, op: op as Matcher['op'], value: quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare };
}

/** Alertmanager's matcher semantics: a missing label is the empty string; regexes are anchored. */
export function matches(matcher: string, labels: Labels): boolean {
  const { name, op, value } = parseMatcher(matcher);
  const actual = labels[name] ?? '';
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '=~':
      return new RegExp(`^(?:${value})$`).test(actual);
    case '!~':
      return !new RegExp(`^(?:${value})$`).test(actual);
  }
}

function checkSupported(route: Json): void {
  for (const legacy of ['match', 'match_re', 'mute_time_intervals', 'active_time_intervals']) {
    if (route[legacy] !== undefined) throw new Error(`route field '${legacy}' is not understood by this reader`);
  }
}

/** The routes an alert ends at, in order (more than one only with `continue: true`). */
export function routeAlert(root: Route, labels: Labels): ResolvedRoute[] {
  const walk = (route: Route, inherited: ResolvedRoute): ResolvedRoute[] => {
    checkSupported(route);
    const here: ResolvedRoute = {
      receiver: route.receiver ?? inherited.receiver,
      matchers: [...inherited.matchers, ...(route.matchers ?? [])],
      groupWait: route.group_wait ?? inherited.groupWait,
      groupInterval: route.group_interval ?? inherited.groupInterval,
      repeatInterval: route.repeat_interval ?? inherited.repeatInterval,
    };
    const ends: ResolvedRoute[] = [];
    for (const child of route.routes ?? []) {
      if (!(child.matchers ?? []).every((m) => matches(m, labels))) continue;
      ends.push(...walk(child, here));
      if (!child.continue) break;
    }
    return ends.length > 0 ? ends : [here];
  };
  if (!root.receiver) throw new Error('the root route names no receiver');
  return walk(root, { receiver: root.receiver, matchers: [] });
}

/** Every route of the tree with its settings resolved, leaves and inner routes alike. */
export function allRoutes(root: Route): ResolvedRoute[] {
  const walk = (route: Route, inherited: ResolvedRoute): ResolvedRoute[] => {
    checkSupported(route);
    const here: ResolvedRoute = {
      receiver: route.receiver ?? inherited.receiver,
      matchers: [...inherited.matchers, ...(route.matchers ?? [])],
      groupWait: route.group_wait ?? inherited.groupWait,
      groupInterval: route.group_interval ?? inherited.groupInterval,
      repeatInterval: route.repeat_interval ?? inherited.repeatInterval,
    };
    return [here, ...(route.routes ?? []).flatMap((child) => walk(child, here))];
  };
  return walk(root, { receiver: root.receiver ?? '', matchers: [] });
}

/** Seconds of an Alertmanager duration such as `1m`, `1h30m` or `0s`. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`bad duration '${text}'`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/** The integrations of Alertmanager 0.33 (config/notifiers.go) and the fields that carry a credential inline. */
const INLINE_CREDENTIALS: Readonly<Record<string, readonly string[]>> = {
  pagerduty_configs: ['routing_key', 'service_key'],
  webhook_configs: ['url'],
};
/** The file fields this reader resolves, per integration. */
const CREDENTIAL_FILES: Readonly<Record<string, readonly string[]>> = {
  pagerduty_configs: ['routing_key_file', 'service_key_file'],
  webhook_configs: ['url_file'],
};

/** One place a receiver delivers to: the integration and the Secrets Manager secret its credential comes from. */
export interface Delivery {
  readonly integration: string;
  readonly secretName: string;
}

/**
 * What Alertmanager, installed by one kube-prometheus-stack Application, would do: routing and deliveries,
 * resolved against the environment's other objects (its ExternalSecrets and their SecretStores).
 */
export class AlertmanagerSetup {
  public readonly values: Json;
  public readonly config: Json;
  public readonly namespace: string;

  public constructor(
    application: Json,
    private readonly objects: readonly Json[],
  ) {
    this.values = application.spec.source.helm.valuesObject;
    this.config = this.values.alertmanager.config;
    this.namespace = application.spec.destination.namespace;
  }

  public get receiverNames(): string[] {
    return (this.config.receivers as Json[]).map((r) => r.name);
  }

  public receiver(name: string): Json {
    const found = (this.config.receivers as Json[]).filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one receiver '${name}', found ${found.length}`);
    return found[0];
  }

  /** Where a receiver delivers; empty for a receiver without integration. */
  public deliveries(name: string): Delivery[] {
    const receiver = this.receiver(name);
    return Object.entries(receiver)
      .filter(([key]) => key !== 'name')
      .flatMap(([integration, configs]) => {
        const fileFields = CREDENTIAL_FILES[integration];
        if (!fileFields) throw new Error(`receiver '${name}': integration '${integration}' is not understood here`);
        return (configs as Json[]).map((config) => {
          const inline = INLINE_CREDENTIALS[integration].filter((field) => config[field] !== undefined);
          if (inline.length > 0) throw new Error(`receiver '${name}' holds ${inline.join(', ')} inline`);
          const files = fileFields.filter((field) => config[field] !== undefined);
          if (files.length !== 1) throw new Error(`receiver '${name}': expected one of ${fileFields.join(', ')}`);
          return { integration, secretName: this.secretOfFile(config[files[0]]) };
        });
      });
  }

  /** The Secrets Manager secret a file of Alertmanager's pod comes from. */
  public secretOfFile(path: string): string {
    const spec = this.values.alertmanager.alertmanagerSpec ?? {};
    const mount = ((spec.volumeMounts ?? []) as Json[]).find((m) => path.startsWith(`${m.mountPath}/`));
    if (!mount) throw new Error(`no volume is mounted where '${path}' lies`);
    const file = path.slice(mount.mountPath.length + 1);
    const volume = ((spec.volumes ?? []) as Json[]).find((v) => v.name === mount.name);
    if (!volume) throw new Error(`volume '${mount.name}' of the mount at ${mount.mountPath} is not defined`);
    const sources: Json[] = volume.secret
      ? [{ name: volume.secret.secretName, items: volume.secret.items }]
      : ((volume.projected?.sources ?? []) as Json[]).flatMap((s) => (s.secret ? [s.secret] : []));
    const hits = sources.flatMap((source) => {
      if (!source.items) return [{ secret: source.name as string, key: file }];
      const item = (source.items as Json[]).find((i) => i.path === file);
      return item ? [{ secret: source.name as string, key: item.key as string }] : [];
    });
    if (hits.length !== 1) throw new Error(`'${path}' comes from ${hits.length} Secrets, not one`);
    return this.remoteKeyOf(hits[0].secret, hits[0].key);
  }

  /** The Secrets Manager name an ExternalSecret fills a key of a Kubernetes Secret from (the whole secret value). */
  private remoteKeyOf(secret: string, key: string): string {
    const externalSecrets = this.objects.filter(
      (o) =>
        o.kind === 'ExternalSecret' &&
        o.metadata.namespace === this.namespace &&
        (o.spec.target?.name ?? o.metadata.name) === secret,
    );
    if (externalSecrets.length !== 1) {
      throw new Error(`Secret ${this.namespace}/${secret} is filled by ${externalSecrets.length} ExternalSecrets`);
    }
    const [external] = externalSecrets;
    const { kind, name } = external.spec.secretStoreRef;
    // A SecretStore serves the ExternalSecrets of its own namespace only.
    const store = this.objects.find(
      (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === this.namespace,
    );
    if (kind !== 'SecretStore' || store?.spec.provider?.aws?.service !== 'SecretsManager') {
      throw new Error(`ExternalSecret ${external.metadata.name} reads ${kind} ${name}, not a Secrets Manager store`);
    }
    const data = ((external.spec.data ?? []) as Json[]).filter((d) => d.secretKey === key);
    if (data.length !== 1)
      throw new Error(`ExternalSecret ${external.metadata.name} fills '${key}' ${data.length} times`);
    if (data[0].remoteRef.property !== undefined) {
      throw new Error(`ExternalSecret ${external.metadata.name} reads a JSON property; the secrets hold bare values`);
    }
    return data[0].remoteRef.key;
  }
}
