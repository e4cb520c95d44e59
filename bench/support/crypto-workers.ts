import { Worker } from 'node:worker_threads';

/**
 * The URL of a bench worker module next to this file: the compiled sibling, or under tsx (dev
 * loop) a tiny module that registers tsx's loader first (Node 20 workers do not inherit it).
 */
export function benchWorkerUrl(name: string): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL(`./${name}.js`, import.meta.url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL(`./${name}.ts`, import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Starts a worker and the promise of the single message it posts before exiting. */
export function startBenchWorker<T>(name: string, workerData?: unknown): { worker: Worker; done: Promise<T> } {
  const worker = new Worker(benchWorkerUrl(name), { workerData });
  const done = new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.once('message', (value: T) => {
      settled = true;
      resolve(value);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`bench worker ${name} exited with code ${code} before answering`));
    });
  });
  return { worker, done };
}

/** Runs one worker to completion and resolves with the single message it posts. */
export function runBenchWorker<T>(name: string, workerData: unknown): Promise<T> {
  return startBenchWorker<T>(name, workerData).done;
}

/** Splits [0, count) into `parts` contiguous slices (the last ones may be one shorter). */
export function slices(count: number, parts: number): { from: number; to: number }[] {
  const size = Math.ceil(count / parts);
  const out: { from: number; to: number }[] = [];
  for (let from = 0; from < count; from += size) out.push({ from, to: Math.min(count, from + size) });
  return out;
}
