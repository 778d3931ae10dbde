// Fails the run when a test leaves synthesis output behind in the system temp dir: a CDK
// assembly with staged assets takes ~56 MB, and CI machines are reused.
const { readdirSync } = require('node:fs');
const { tmpdir } = require('node:os');

const LEFTOVER = /^(cdk\.out|cdk8s\.outdir\.|platform-)/;
const leftovers = () => readdirSync(tmpdir()).filter((name) => LEFTOVER.test(name));

module.exports = {
  before: () => {
    globalThis.__tempBefore = new Set(leftovers());
  },
  after: () => {
    const added = leftovers().filter((name) => !globalThis.__tempBefore.has(name));
    if (added.length > 0) throw new Error(`Tests left these behind in ${tmpdir()}: ${added.join(', ')}`);
  },
};
