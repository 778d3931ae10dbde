/** One problem in the model, located by a dotted path such as `services.order-service.port`. */
export interface ModelIssue {
  readonly path: string;
  readonly message: string;
}

/** The model (or the deployment context it needs) is invalid; `issues` lists every problem found. */
export class ModelValidationError extends Error {
  public constructor(public readonly issues: readonly ModelIssue[]) {
    super(
      `The platform model is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`,
    );
    this.name = 'ModelValidationError';
  }
}

export function formatIssues(issues: readonly ModelIssue[]): string {
  return issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n');
}

/** Collects the problems of one entry under its path, e.g. `services.order-service`. */
export class IssueList {
  public readonly issues: ModelIssue[] = [];

  public constructor(private readonly base: string) {}

  public add(field: string, message: string): void {
    this.issues.push({ path: field ? `${this.base}.${field}` : this.base, message });
  }
}
