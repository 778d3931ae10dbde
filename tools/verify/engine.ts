/**
 * The contract between `npm run verify` (tools/verify/main.ts) and each real engine it runs. An engine
 * module builds or installs its tool at a pinned version into `.tools/` (git-ignored, reused by the
 * next run), checks the repository's outputs with it, and reports one line of figures.
 */
export interface EngineContext {
  /** Absolute path of the repository root. */
  readonly root: string;
  /** Absolute path of `.tools/`, the cache of built and installed engines. */
  readonly toolsDirectory: string;
  /** Writes one progress line to stderr (build steps, long waits). */
  readonly log: (line: string) => void;
}

export interface EngineResult {
  /** The engine and its version, e.g. `kube-apiserver v1.35.2`. */
  readonly engine: string;
  /** Whether every check passed. */
  readonly ok: boolean;
  /** One line of figures, e.g. `dev 128 objects, staging 128, prod 131; 0 rejected, 0 warnings`. */
  readonly summary: string;
  /** What failed, each with its file or object; empty when `ok`. */
  readonly failures: readonly string[];
}

export interface Engine {
  /** Short name used by `npm run verify -- --only <name>`. */
  readonly name: string;
  run(context: EngineContext): Promise<EngineResult>;
  /**
   * Runs the engine on a deliberately broken input (a manifest, policy, rule or template made in a temp
   * dir from a real output) and returns the engine's rejection as text; throws when the engine accepts it,
   * so a run proves each engine can fail.
   */
  selfCheck(context: EngineContext): Promise<string>;
}
