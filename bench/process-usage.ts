/** What a process and the whole host used, from /proc (Linux): for the benchmark's CPU and memory rows. */
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU ms of each thread of a process, by thread id, with the thread's name (`comm`). */
export function threadUsage(pid: number): Map<string, { name: string; cpuMs: number }> {
  const out = new Map<string, { name: string; cpuMs: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.split(') ')[1]?.split(' ') ?? [];
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.set(tid, { name: Number(tid) === pid ? 'main' : name, cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * CPU ms each group of threads (by name; the process's own thread is `main`) used since `before`.
 * Node names every thread it starts `node`: the busiest of them is the workflow thread (a worker
 * runs one), the rest are V8's garbage-collection helpers and libuv's pool.
 */
export function threadGroupsSince(pid: number, before: Map<string, { name: string; cpuMs: number }>): Map<string, number> {
  const groups = new Map<string, number>();
  const nodeThreads: number[] = [];
  for (const [tid, { name, cpuMs }] of threadUsage(pid)) {
    const used = cpuMs - (before.get(tid)?.cpuMs ?? 0);
    if (name === 'node') nodeThreads.push(used);
    else groups.set(name, (groups.get(name) ?? 0) + used);
  }
  nodeThreads.sort((a, b) => b - a);
  groups.set('workflow thread', nodeThreads[0] ?? 0);
  groups.set('other node threads', nodeThreads.slice(1).reduce((sum, ms) => sum + ms, 0));
  return groups;
}
