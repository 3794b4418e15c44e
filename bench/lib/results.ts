/** What a benchmark hands back: its figures (medians, ratios), every run, and notes. */

export interface Figure {
  name: string;
  value: number | string | boolean;
  unit?: string;
  /** The goal, as text (e.g. "≥ 0.5"). */
  goal?: string;
  /** Whether the goal is met; absent when there is no goal. */
  ok?: boolean;
}

export interface BenchResult {
  id: string;
  title: string;
  /** Temporal dev server store, for the benchmarks that run on it. */
  mode?: 'file' | 'memory' | 'time-skipping' | 'none';
  size: Record<string, number | string>;
  figures: Figure[];
  runs: Record<string, unknown>[];
  notes: string[];
  wallSeconds: number;
  /** The run that measured it (set when results are written; kept when a later run merges). */
  run?: import('./report').RunInfo;
}

export interface BenchOptions {
  scale: number;
  reps: number;
  modes: ('file' | 'memory')[];
  seed: number;
  profile: boolean;
}

/** A size from the issue, scaled (never below `min`). */
export function scaled(full: number, scale: number, min = 1): number {
  return Math.max(min, Math.round(full * scale));
}

export function goal(name: string, value: number, unit: string, goalText: string, ok: boolean): Figure {
  return { name, value, unit, goal: goalText, ok };
}
