/** Writes to the console; a test or another caller may pass its own. */
export type Write = (text: string) => void;

export const writeStdout: Write = (text) => {
  process.stdout.write(text);
};

/**
 * Prints `label …`, runs `work`, then ` done (1.2 s)` or ` failed` on the same line; `detail`
 * adds a note from the result (e.g. the API's URL).
 */
export async function step<T>(
  write: Write,
  label: string,
  work: () => Promise<T>,
  detail: (result: T) => string = () => '',
): Promise<T> {
  write(`${label} … `);
  const startedMs = performance.now();
  try {
    const result = await work();
    const note = detail(result);
    write(`done (${((performance.now() - startedMs) / 1000).toFixed(1)} s)${note === '' ? '' : `: ${note}`}\n`);
    return result;
  } catch (error) {
    write('failed\n');
    throw error;
  }
}
