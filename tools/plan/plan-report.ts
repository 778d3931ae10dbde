import { ACKNOWLEDGEMENTS_FILE, type Acknowledgement, acknowledgementEntry } from './acknowledgements';
import { type Finding, keyText, needsAcknowledging, sortedFindings } from './findings';
import type { BaseRevision } from './git-revision';

/** A finding with its verdict: `open` (needs acknowledging, is not), `acknowledged` (with the reason), or `none`. */
export interface JudgedFinding extends Finding {
  readonly status: 'open' | 'acknowledged' | 'none';
  readonly reason?: string;
}

/** A whole plan, judged against the acknowledgements. */
export interface Plan {
  readonly base: BaseRevision;
  readonly findings: readonly JudgedFinding[];
  readonly notes: readonly string[];
  /** Acknowledgements the change adds that match no finding that needs one. */
  readonly stale: readonly Acknowledgement[];
  /** How many entries of the file were there at the base revision already, and so count for nothing. */
  readonly carried: number;
}

/**
 * Judges the findings: each that needs acknowledging (findings.ts `needsAcknowledging`) is acknowledged by the entry
 * of `acknowledgements` with its key. Only entries that the change adds count (`carried`: those the base revision's
 * file already had, which acknowledged an earlier change, are left out by the caller); one that matches nothing is
 * stale.
 */
export function judgePlan(
  base: BaseRevision,
  findings: readonly Finding[],
  notes: readonly string[],
  acknowledgements: readonly Acknowledgement[],
  carried: number,
): Plan {
  const byKey = new Map(acknowledgements.map((entry) => [keyText(entry.key), entry]));
  const used = new Set<string>();
  const judged = sortedFindings(findings).map((finding): JudgedFinding => {
    if (!needsAcknowledging(finding)) return { ...finding, status: 'none' };
    const entry = byKey.get(keyText(finding.key));
    if (!entry) return { ...finding, status: 'open' };
    used.add(keyText(finding.key));
    return { ...finding, status: 'acknowledged', reason: entry.reason };
  });
  const stale = acknowledgements.filter((entry) => !used.has(keyText(entry.key)));
  return { base, findings: judged, notes, stale, carried };
}

/** Whether the plan passes: no open finding and no stale acknowledgement. */
export function planPasses(plan: Plan): boolean {
  return plan.stale.length === 0 && !plan.findings.some((finding) => finding.status === 'open');
}

/** The one line a failing plan ends with on stderr; undefined when it passes. */
export function failureLine(plan: Plan): string | undefined {
  if (planPasses(plan)) return undefined;
  const open = plan.findings.filter((finding) => finding.status === 'open').length;
  const parts = [
    ...(open > 0
      ? [`${changes(open)} of stateful resources or objects ${open === 1 ? 'is' : 'are'} not acknowledged`]
      : []),
    ...(plan.stale.length > 0
      ? [
          `${counted(plan.stale.length, 'acknowledgement')} ${plan.stale.length === 1 ? 'matches' : 'match'} no such change`,
        ]
      : []),
  ];
  return `pnpm plan: ${parts.join('; ')} (${ACKNOWLEDGEMENTS_FILE}; see the report above)`;
}

const STATUS_TEXT = {
  open: 'stateful, NOT ACKNOWLEDGED',
  acknowledged: 'stateful, acknowledged',
  none: '',
} as const;

/** The report for a terminal or a log: one block per place, one line per finding, then the verdict. */
export function textReport(plan: Plan): string {
  const lines = [`pnpm plan: dist/ as the working tree renders it, against ${shortCommit(plan)} (${plan.base.chosen})`];
  let where: string | undefined;
  for (const finding of plan.findings) {
    if (finding.where !== where) {
      where = finding.where;
      lines.push('', where);
    }
    lines.push(`  ${tagOf(finding)}${finding.text}`);
  }
  if (plan.notes.length > 0) lines.push('', 'Not deployed or synced:', ...plan.notes.map((note) => `  ${note}`));
  if (plan.stale.length > 0) {
    lines.push(
      '',
      `Acknowledgements in ${ACKNOWLEDGEMENTS_FILE} that match no change that needs one (remove them):`,
      ...plan.stale.map((entry) => `  ${JSON.stringify({ ...entry.key, reason: entry.reason })}`),
    );
  }
  lines.push('', verdict(plan));
  const open = plan.findings.filter((finding) => finding.status === 'open');
  if (open.length > 0) {
    lines.push(
      `To go ahead, add to ${ACKNOWLEDGEMENTS_FILE} (a JSON array) one entry per change, each with its reason:`,
      ...suggestedEntries(open).map((line) => `  ${line}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The report as GitHub-flavoured Markdown, for a job's step summary or a pull request comment. */
export function markdownReport(plan: Plan): string {
  const lines = [
    '### Destructive changes (`pnpm plan`)',
    '',
    `Against \`${shortCommit(plan)}\` (${escapeMarkdown(plan.base.chosen)}). ${planPasses(plan) ? '**Passes**' : '**Fails**'}: ${escapeMarkdown(verdict(plan))}`,
  ];
  // Stateful and kept ones first; the rest, often many (roles, security groups, parameters), folded away.
  const shown = plan.findings.filter((finding) => finding.status !== 'none' || finding.change === 'kept');
  const folded = plan.findings.filter((finding) => finding.status === 'none' && finding.change !== 'kept');
  if (shown.length > 0) lines.push('', ...markdownTable(shown));
  if (folded.length > 0) {
    lines.push(
      '',
      '<details>',
      `<summary>${counted(folded.length, 'other resource or object', 'other resources and objects')} replaced, deleted or pruned</summary>`,
      '',
      ...markdownTable(folded),
      '',
      '</details>',
    );
  }
  if (plan.notes.length > 0) lines.push('', ...plan.notes.map((note) => `- ${escapeMarkdown(note)}`));
  if (plan.stale.length > 0) {
    lines.push(
      '',
      `Acknowledgements in \`${ACKNOWLEDGEMENTS_FILE}\` that match no change that needs one (remove them):`,
      '',
      '```json',
      ...plan.stale.map((entry) => JSON.stringify({ ...entry.key, reason: entry.reason })),
      '```',
    );
  }
  const open = plan.findings.filter((finding) => finding.status === 'open');
  if (open.length > 0) {
    lines.push(
      '',
      `To go ahead, add to \`${ACKNOWLEDGEMENTS_FILE}\` (a JSON array) one entry per change, each with its reason:`,
      '',
      '```json',
      ...suggestedEntries(open),
      '```',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The plan as JSON, for tools: every finding with its key and verdict, the notes and the stale entries. */
export function jsonReport(plan: Plan): string {
  return `${JSON.stringify(
    {
      base: plan.base,
      passes: planPasses(plan),
      changes: plan.findings.map((finding) => ({
        side: finding.side,
        where: finding.where,
        change: finding.change,
        text: finding.text,
        stateful: finding.stateful,
        status: finding.status,
        ...(finding.reason === undefined ? {} : { reason: finding.reason }),
        key: finding.key,
      })),
      notes: plan.notes,
      staleAcknowledgements: plan.stale.map((entry) => ({ ...entry.key, reason: entry.reason })),
      acknowledgementsFromBase: plan.carried,
    },
    null,
    2,
  )}\n`;
}

/** A table of findings: verdict, place, change. */
function markdownTable(findings: readonly JudgedFinding[]): string[] {
  return [
    '| | Where | Change |',
    '| --- | --- | --- |',
    ...findings.map((finding) => {
      const status =
        finding.status === 'open'
          ? ':x: stateful, **not acknowledged**'
          : finding.status === 'acknowledged'
            ? `:white_check_mark: stateful, acknowledged: ${escapeMarkdown(finding.reason ?? '')}`
            : finding.change === 'kept'
              ? 'left in the cluster'
              : '';
      return `| ${status} | ${escapeMarkdown(finding.where)} | ${escapeMarkdown(finding.text)} |`;
    }),
  ];
}

/** The entries that would acknowledge the open findings, as the lines of a JSON array. */
function suggestedEntries(open: readonly JudgedFinding[]): string[] {
  return [
    '[',
    ...open.map((finding, index) => `  ${acknowledgementEntry(finding.key)}${index < open.length - 1 ? ',' : ''}`),
    ']',
  ];
}

function verdict(plan: Plan): string {
  const count = (status: JudgedFinding['status']) =>
    plan.findings.filter((finding) => finding.status === status).length;
  const destructive = plan.findings.filter((finding) => finding.change !== 'kept').length;
  const parts: string[] = [];
  if (destructive === 0) parts.push('nothing is replaced, deleted or pruned');
  else {
    parts.push(
      `${changes(count('open'))} of stateful resources or objects ${count('open') === 1 ? 'is' : 'are'} not acknowledged`,
      `${count('acknowledged')} acknowledged`,
      `${destructive - count('open') - count('acknowledged')} other replaced, deleted or pruned`,
    );
  }
  if (plan.stale.length > 0) parts.push(`${counted(plan.stale.length, 'stale acknowledgement')}`);
  if (plan.carried > 0) {
    parts.push(
      `${counted(plan.carried, 'acknowledgement')} from the base revision ignored (they acknowledged earlier changes; they may be removed)`,
    );
  }
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function tagOf(finding: JudgedFinding): string {
  if (finding.status === 'acknowledged') return `[${STATUS_TEXT.acknowledged}: ${finding.reason}] `;
  if (finding.status === 'open') return `[${STATUS_TEXT.open}] `;
  return '';
}

function shortCommit(plan: Plan): string {
  return plan.base.commit.slice(0, 12);
}

function changes(n: number): string {
  return counted(n, 'destructive change');
}

function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** A table cell's text: pipes escaped, line breaks as spaces, HTML's angle brackets escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
