// What every benchmark returns: figures with their targets, for latest.json and latest.md.

export type Verdict = 'PASS' | 'MISS' | 'INFO';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  id: string;
  label: string;
  /** the reported value (a median of `runs` when there are several) */
  value: number;
  unit: string;
  target?: Target;
  verdict: Verdict;
  /** each run's value, in run order */
  runs?: number[];
  note?: string;
}

export interface BenchResult {
  name: string;
  title: string;
  /** what was measured and how, one paragraph for the summary */
  method: string;
  figures: Figure[];
  details: Record<string, unknown>;
  elapsedMs: number;
  error?: string;
  /** when and on which code it ran (set by run.ts; results of earlier runs are kept by name) */
  ranAt?: string;
  commit?: string | null;
  uncommittedChanges?: number;
}

export function figure(f: Omit<Figure, 'verdict'>): Figure {
  let verdict: Verdict = 'INFO';
  if (f.target) {
    const ok = f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value;
    verdict = Number.isFinite(f.value) && ok ? 'PASS' : 'MISS';
  }
  return { ...f, verdict };
}

export interface BenchOptions {
  long: boolean;
  log: (line: string) => void;
}
