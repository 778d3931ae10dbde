// Preloaded (NODE_OPTIONS --require) into every node process of a command `pnpm bench` measures: on exit, appends
// the process's CPU time (user + system, ms) and peak resident set size (KiB) as one JSON line to BENCH_USAGE_FILE.
const { appendFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.BENCH_USAGE_FILE;
  if (!file) return;
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  appendFileSync(file, `${JSON.stringify({ pid: process.pid, cpuMs, maxRssKiB: usage.maxRSS })}\n`);
});
