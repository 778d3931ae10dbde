/**
 * A throw-away control plane on loopback: etcd, kube-apiserver and kube-controller-manager as child
 * processes, free ports, a temp folder for etcd's data, the serving certificate (kube-apiserver generates
 * a self-signed one in --cert-dir), an admin token (static token file, group system:masters) and the
 * service-account signing key (generated here, per run). The controllers make the Pods of each workload,
 * so Pod admission (Pod Security enforce, LimitRange, ResourceQuota, ServiceAccount) judges them; there
 * is no scheduler and no node, so they stay Pending. `stop()` ends the processes and removes the folder;
 * so do SIGINT, SIGTERM and exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClusterBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  /** The text of each `Warning` response header (RFC 7234 warn-text, unquoted), in order. */
  readonly warnings: readonly string[];
}

const LOOPBACK = '127.0.0.1';
/** How long etcd and kube-apiserver may take to become ready on a loaded 2-core machine. */
const READY_TIMEOUT_MS = 240_000;
const REQUEST_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** Distinct free TCP ports on loopback, held open together so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, LOOPBACK, () => {
            const address = server.address();
            resolve(typeof address === 'object' && address ? address.port : 0);
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** Parses one Warning header value, `299 - "text"` (RFC 7234 section 5.5), into its text. */
export function warningText(header: string): string {
  const match = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return match ? match[1].replace(/\\(.)/g, '$1') : header;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(file: string, characters = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-characters).trim();
  } catch {
    return '(no log)';
  }
}

export class LocalCluster {
  /** Starts etcd and kube-apiserver and waits until the API server is ready and kube-system exists. */
  static async start(binaries: ClusterBinaries, log: (line: string) => void): Promise<LocalCluster> {
    const cluster = new LocalCluster(mkdtempSync(join(tmpdir(), 'verify-apiserver-')), log);
    try {
      await cluster.launch(binaries);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  private readonly token = randomBytes(32).toString('hex');
  private readonly processes: { name: string; child: ChildProcess; log: string }[] = [];
  private port = 0;
  private ca: Buffer | undefined;
  private stopped = false;
  private readonly onExit = () => this.killNow();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.killNow();
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    // Re-raise, so the process ends as it would have without us (unless someone else handles it).
    process.kill(process.pid, signal);
  };

  private constructor(
    private readonly directory: string,
    private readonly log: (line: string) => void,
  ) {
    process.on('exit', this.onExit);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  private spawnLogged(name: string, binary: string, args: readonly string[]): ChildProcess {
    const logFile = join(this.directory, `${name}.log`);
    const output = createWriteStream(logFile);
    const child = spawn(binary, args, { cwd: this.directory, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(output);
    child.stderr?.pipe(output);
    this.processes.push({ name, child, log: logFile });
    return child;
  }

  /** Throws, with the log's tail, when a process of ours has ended. */
  private checkAlive(): void {
    for (const { name, child, log } of this.processes) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${tail(log)}`);
      }
    }
  }

  private async launch(binaries: ClusterBinaries): Promise<void> {
    const [etcdClient, etcdPeer, apiserver, controllerManager] = await freePorts(4);
    this.port = apiserver;
    const etcdUrl = `http://${LOOPBACK}:${etcdClient}`;
    this.spawnLogged('etcd', binaries.etcd, [
      '--name=verify',
      `--data-dir=${join(this.directory, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://${LOOPBACK}:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://${LOOPBACK}:${etcdPeer}`,
      `--initial-cluster=verify=http://${LOOPBACK}:${etcdPeer}`,
      // A throw-away store: durability is not what is checked.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await this.waitFor('etcd', async () => {
      const health = await this.plainGet(`${etcdUrl}/health`);
      return health.status === 200 && /"health":\s*"true"/.test(health.body);
    });

    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.directory, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.directory, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    writeFileSync(join(this.directory, 'tokens.csv'), `${this.token},verify-admin,verify-admin,"system:masters"\n`, {
      mode: 0o600,
    });
    const certDirectory = join(this.directory, 'certs');
    this.spawnLogged('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      `--bind-address=${LOOPBACK}`,
      `--advertise-address=${LOOPBACK}`,
      `--secure-port=${apiserver}`,
      `--cert-dir=${certDirectory}`,
      `--token-auth-file=${join(this.directory, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(this.directory, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(this.directory, 'sa.key')}`,
      // An allocation range for Service cluster IPs; nothing is routed.
      '--service-cluster-ip-range=10.96.0.0/16',
      // PodSecurity is on by default; named so that a change of defaults cannot drop it silently.
      '--enable-admission-plugins=PodSecurity',
      // No reconciler: a loopback address is not a valid Endpoints address for the kubernetes Service.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
    ]);
    const certificate = join(certDirectory, 'apiserver.crt');
    await this.waitFor('kube-apiserver', async () => {
      if (!existsSync(certificate)) return false;
      this.ca = readFileSync(certificate);
      const ready = await this.request('GET', '/readyz');
      if (ready.status !== 200) return false;
      // The system namespaces are made by a post-start hook shortly after readiness.
      return (await this.request('GET', '/api/v1/namespaces/kube-system')).status === 200;
    });

    const kubeconfig = join(this.directory, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'verify',
            cluster: { server: `https://${LOOPBACK}:${apiserver}`, 'certificate-authority': certificate },
          },
        ],
        users: [{ name: 'verify-admin', user: { token: this.token } }],
        contexts: [{ name: 'verify', context: { cluster: 'verify', user: 'verify-admin' } }],
        'current-context': 'verify',
      }),
      { mode: 0o600 },
    );
    this.spawnLogged('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      `--bind-address=${LOOPBACK}`,
      `--secure-port=${controllerManager}`,
      `--cert-dir=${join(this.directory, 'controller-manager-certs')}`,
      `--service-account-private-key-file=${join(this.directory, 'sa.key')}`,
      `--root-ca-file=${certificate}`,
      // The autoscaler raises a Deployment to minReplicas at its first pass; make that pass come soon.
      '--horizontal-pod-autoscaler-sync-period=1s',
      '--profiling=false',
    ]);
    await this.waitFor('kube-controller-manager', async () => {
      // The service-account controller makes `default` in every namespace once the controllers run.
      return (await this.request('GET', '/api/v1/namespaces/kube-system/serviceaccounts/default')).status === 200;
    });
  }

  private async waitFor(name: string, ready: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    let lastError = '';
    while (Date.now() - started < READY_TIMEOUT_MS) {
      this.checkAlive();
      try {
        if (await ready()) {
          this.log(`${name} ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
          return;
        }
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(500);
    }
    const log = this.processes.find((process) => process.name === name)?.log;
    throw new Error(
      `${name} not ready after ${READY_TIMEOUT_MS / 1000} s (${lastError}):\n${log ? tail(log) : ''}`.trim(),
    );
  }

  private plainGet(url: string): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(url, { timeout: 5000 }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, warnings: [] }));
      });
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.end();
    });
  }

  /** One request to the API server as the admin user; TLS is checked against the server's own certificate. */
  request(method: string, path: string, body?: string, contentType?: string): Promise<ApiResponse> {
    if (this.ca === undefined) return Promise.reject(new Error('the API server has no certificate yet'));
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const request = httpsRequest(
        { host: LOOPBACK, port: this.port, path, method, headers, ca: this.ca, timeout: REQUEST_TIMEOUT_MS },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          response.on('end', () => {
            // rawHeaders keeps repeated headers apart; a Warning's text may itself contain commas.
            const warnings: string[] = [];
            for (let index = 0; index < response.rawHeaders.length; index += 2) {
              if (response.rawHeaders[index].toLowerCase() === 'warning') {
                warnings.push(warningText(response.rawHeaders[index + 1]));
              }
            }
            resolve({ status: response.statusCode ?? 0, body: text, warnings });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      if (body !== undefined) request.write(body);
      request.end();
    });
  }

  /** Kills both processes at once (SIGKILL) and removes the folder; for exit and signal handlers. */
  private killNow(): void {
    for (const { child } of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** Stops kube-apiserver, then etcd (SIGTERM, SIGKILL after 15 s), and removes the temp folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      for (const { child } of [...this.processes].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
    } finally {
      rmSync(this.directory, { recursive: true, force: true });
      process.off('exit', this.onExit);
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
    }
  }
}
