/** The machine a run happened on, recorded with every result. */
import * as os from 'node:os';

export interface MachineInfo {
  readonly os: string;
  readonly cpu: string;
  readonly logicalCores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  /** 1, 5 and 15 minute load averages: on a shared machine, how contended the timings were. */
  readonly loadAverage: readonly number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    logicalCores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.logicalCores} logical cores, ${m.memoryGiB} GiB; ${m.os}; Node.js ${m.node} (V8 ${m.v8})`;
}
