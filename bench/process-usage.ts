/** What a process and the whole host used, from /proc (Linux): for the benchmark's CPU and memory rows. */
import { readFileSync } from 'node:fs';

/** Resident memory (bytes) and CPU time (ms, all threads) of a process. */
export function processUsage(pid: number): { rss: number; cpuMs: number } {
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { rss, cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 };
}

/** The host's busy and total CPU time (ms, summed over cores) since boot, from /proc/stat. */
export function hostCpu(): { busyMs: number; totalMs: number } {
  const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busyMs: ((total - idle) * 1000) / 100, totalMs: (total * 1000) / 100 };
}
