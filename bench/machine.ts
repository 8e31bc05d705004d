import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine a run was measured on, written beside its results. */
export type Machine = {
  cpuModel: string;
  cores: number;
  node: string;
  memoryGiB: number;
  system: string;
};

/** Describes this machine: CPU model (from /proc/cpuinfo where there is one), cores, memory. */
export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    node: process.version,
    memoryGiB: os.totalmem() / 2 ** 30,
    system: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function cpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
    if (model) return model;
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}
