// Fails the run when a test leaves synthesis output behind in the temp dir: a CDK assembly with staged
// assets takes ~56 MB, and CI machines are reused. Each run gets a temp dir of its own (TMPDIR, which the
// workers inherit), so runs side by side on one machine never see each other's files.
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const LEFTOVER = /^(cdk\.out|cdk8s\.outdir\.|platform-)/;

module.exports = {
  before: () => {
    globalThis.__runTempDir = mkdtempSync(join(tmpdir(), 'jest-platform-run-'));
    process.env.TMPDIR = globalThis.__runTempDir;
  },
  after: () => {
    const directory = globalThis.__runTempDir;
    const added = readdirSync(directory).filter((name) => LEFTOVER.test(name));
    rmSync(directory, { recursive: true, force: true });
    if (added.length > 0) throw new Error(`Tests left these behind in the temp dir: ${added.join(', ')}`);
  },
};
