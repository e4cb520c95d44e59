// Where the CPU goes during a bench:e2e window: this process and every process it started (API,
// stations, simulators and their socat relays, Redis), read from /proc, next to the whole machine's
// busy time, so that the rest of the machine's load (other users of a shared box) shows too.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** What a process of the stack is, judged from its command line. */
export type CpuComponent = 'api' | 'stations' | 'simulators' | 'socat' | 'redis' | 'bench' | 'other children';

export const CPU_COMPONENTS: readonly CpuComponent[] = [
  'api',
  'stations',
  'simulators',
  'socat',
  'redis',
  'bench',
  'other children',
];

/** CPU ticks per process of this tree, and the machine's busy and total ticks, at one moment. */
export interface CpuSnapshot {
  readonly processes: ReadonlyMap<number, { readonly component: CpuComponent; readonly ticks: number }>;
  readonly machineBusyTicks: number;
}

/** CPU used between two snapshots, in cores (1.0 = one core busy the whole window). */
export interface CpuUsage {
  readonly windowMs: number;
  readonly coresByComponent: Readonly<Record<CpuComponent, number>>;
  /** Every core's busy time (all processes of the machine), in cores. */
  readonly machineCores: number;
  /** machineCores minus this tree's: load that is not ours. */
  readonly othersCores: number;
  readonly coreCount: number;
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly ticks: number;
}

/** /proc/<pid>/stat: the command name is in parentheses and may hold spaces, so split after the last ')'. */
function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state ppid … utime (11th) stime (12th), proc(5).
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // it exited meanwhile
  }
}

function componentOf(pid: number): CpuComponent {
  if (pid === process.pid) return 'bench';
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return 'other children';
  }
  if (cmdline.includes('ingrain-api')) return 'api';
  if (cmdline.includes('ingrain-station')) return 'stations';
  if (cmdline.includes('ingrain-sim')) return 'simulators';
  if (cmdline.startsWith('socat')) return 'socat';
  if (cmdline.includes('redis-server')) return 'redis';
  return 'other children';
}

/** Busy ticks of all cores: proc(5) user nice system idle iowait irq softirq steal, minus idle and iowait. */
function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return total - (values[3] ?? 0) - (values[4] ?? 0);
}

/** CPU ticks of this process and all its descendants, and of the machine. */
export function cpuSnapshot(): CpuSnapshot {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat) => stat !== undefined);
  const children = new Map<number, number[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const processes = new Map<number, { component: CpuComponent; ticks: number }>();
  const pending = [process.pid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const stat = byPid.get(pid);
    if (stat !== undefined) processes.set(pid, { component: componentOf(pid), ticks: stat.ticks });
    pending.push(...(children.get(pid) ?? []));
  }
  return { processes, machineBusyTicks: machineBusyTicks() };
}

/**
 * The CPU used between `before` and `after` (taken `windowMs` apart). A process that started in
 * between counts whole; one that exited in between is lost (the stack stops nothing mid-window).
 */
export function cpuUsage(before: CpuSnapshot, after: CpuSnapshot, windowMs: number): CpuUsage {
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / (windowMs / 1000);
  const byComponent = Object.fromEntries(CPU_COMPONENTS.map((c) => [c, 0])) as Record<CpuComponent, number>;
  for (const [pid, now] of after.processes) {
    const then = before.processes.get(pid)?.ticks ?? 0;
    byComponent[now.component] += cores(now.ticks - then);
  }
  const machineCores = cores(after.machineBusyTicks - before.machineBusyTicks);
  const ours = Object.values(byComponent).reduce((sum, value) => sum + value, 0);
  return {
    windowMs,
    coresByComponent: byComponent,
    machineCores,
    othersCores: Math.max(0, machineCores - ours),
    coreCount: cpus().length,
  };
}
