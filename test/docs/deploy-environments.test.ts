import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The README's table of GitHub Environments is what the deploy workflow needs: every GitHub Environment a job of
 * the committed workflow runs in is listed; no job a merge passes through before the first environment is deployed
 * (that deploy job included) runs in one the README gives reviewers, so dev flows without a human; the plan jobs
 * need none; and the last environment (prod) requires them.
 */

const ROOT = join(__dirname, '..', '..');

interface Job {
  readonly environment?: string;
  readonly needs?: string | string[];
}

const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'deploy.yml'), 'utf8')) as {
  jobs: Record<string, Job>;
};

/** `GitHub Environment → required reviewers` from the README's table (`none`, `optional`, `required`). */
function readmeReviewers(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n').map((line) => line.trim());
  const header = lines.findIndex((line) => /^\| GitHub Environment \| required reviewers \|/.test(line));
  expect(header).toBeGreaterThan(-1);
  const reviewers = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [names, required] = line.split('|').slice(1, 3);
    for (const [, name] of names.matchAll(/`([^`]+)`/g)) reviewers.set(name, required.trim());
  }
  return reviewers;
}

/** The job and every job it needs, transitively. */
function withNeeds(id: string): string[] {
  const needs = workflow.jobs[id]?.needs;
  const direct = needs === undefined ? [] : Array.isArray(needs) ? needs : [needs];
  return [id, ...direct.flatMap(withNeeds)];
}

describe("the README's GitHub Environments", () => {
  const jobs = Object.entries(workflow.jobs);
  const environments = jobs.flatMap(([, job]) => (job.environment ? [job.environment] : []));
  const deployJobs = jobs.filter(([id, job]) => job.environment === id && id !== 'shared-services');

  it('lists every GitHub Environment the deploy workflow runs a job in', () => {
    const reviewers = readmeReviewers();
    expect([...new Set(environments)].sort()).toEqual([...reviewers.keys()].sort());
  });

  it('give no reviewers to any job a merge passes through up to the first environment, nor to the plan jobs', () => {
    const reviewers = readmeReviewers();
    const [[first]] = deployJobs;
    const beforeFirst = withNeeds(first).map((id) => workflow.jobs[id].environment ?? '');
    for (const name of beforeFirst) expect([name, reviewers.get(name)]).toEqual([name, 'none']);
    for (const [, job] of jobs.filter(([id, job]) => job.environment && job.environment !== id)) {
      expect([job.environment, reviewers.get(job.environment ?? '')]).toEqual([job.environment, 'none']);
    }
  });

  it('require reviewers for the last environment', () => {
    const reviewers = readmeReviewers();
    const [last] = deployJobs[deployJobs.length - 1];
    expect(reviewers.get(last)).toBe('required');
  });
});
