import { UserError } from '@platform/model';

/** The day the support calendar is judged on: the context's ISO date, or the real date. */
export function todayFrom(contextValue: unknown): Date {
  if (contextValue === undefined) return new Date();
  if (
    typeof contextValue !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(contextValue) ||
    Number.isNaN(Date.parse(contextValue))
  ) {
    throw new UserError(
      `context 'platform:today' must be an ISO date such as 2026-11-22, not ${JSON.stringify(contextValue)}`,
    );
  }
  return new Date(`${contextValue}T00:00:00Z`);
}
