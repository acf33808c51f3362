// Preloaded into the CLI by the benchmark (node --import): writes the process's own resource
// usage (peak RSS, CPU time) to BENCH_USAGE_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const u = process.resourceUsage();
  if (process.env.BENCH_USAGE_FILE) {
    writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKb: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime }));
  }
});
