// Preloaded into a measured process: writes its peak resident set size (KiB) to BENCH_PEAK_MEMORY_FILE on exit.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  if (process.env.BENCH_PEAK_MEMORY_FILE) {
    writeFileSync(process.env.BENCH_PEAK_MEMORY_FILE, String(process.resourceUsage().maxRSS));
  }
});
