/**
 * The measured phases. Each splits its work into rounds and alternates the targets round by
 * round, the first target changing every round, so drift on a shared machine (another job
 * starting, CPU frequency, the SQLite file growing) lands on both targets alike.
 */
import {
  emptySample,
  runClosedLoop,
  runSequential,
  type RequestKind,
  type Sample,
  type Target,
  type TargetName,
} from './load.js';

export type Targets = Record<TargetName, Target>;

/** A closed-loop phase: every request's outcome, the time under load, the gateway's CPU. */
export type ThroughputSample = Sample & { elapsedMs: number; gatewayCpuMicroseconds: number };

export type ThroughputOptions = {
  concurrency: number;
  seconds: number;
  /** The gateway process's CPU time so far, in microseconds. */
  gatewayCpu: () => Promise<number>;
};

const ROUND_SECONDS = 1;

function orderOf(round: number): TargetName[] {
  return round % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
}

/** `count` requests per target, one in flight, over `rounds` alternating rounds. */
export async function measureSequential(
  targets: Targets,
  kind: RequestKind,
  count: number,
  rounds: number,
): Promise<Record<TargetName, Sample>> {
  const samples = { direct: emptySample(), gateway: emptySample() };
  const perRound = Math.ceil(count / rounds);
  for (let round = 0; round < rounds; round += 1) {
    const remaining = count - round * perRound;
    if (remaining <= 0) break;
    for (const name of orderOf(round)) {
      await runSequential(targets[name], kind, Math.min(perRound, remaining), samples[name]);
    }
  }
  return samples;
}

/** `seconds` of closed-loop load per target, in alternating one-second rounds. */
export async function measureThroughput(
  targets: Targets,
  kind: RequestKind,
  options: ThroughputOptions,
): Promise<Record<TargetName, ThroughputSample>> {
  const empty = () => ({ ...emptySample(), elapsedMs: 0, gatewayCpuMicroseconds: 0 });
  const samples = { direct: empty(), gateway: empty() };
  const load = { concurrency: options.concurrency, durationMs: ROUND_SECONDS * 1000 };

  for (let round = 0; round < Math.ceil(options.seconds / ROUND_SECONDS); round += 1) {
    for (const name of orderOf(round)) {
      const sample = samples[name];
      const cpuBefore = await options.gatewayCpu();
      sample.elapsedMs += await runClosedLoop(targets[name], kind, load, sample);
      sample.gatewayCpuMicroseconds += (await options.gatewayCpu()) - cpuBefore;
    }
  }
  return samples;
}
