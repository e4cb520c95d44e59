import { type z } from 'zod';
import { type ValidationIssue } from '../errors.js';

/** Collects validation issues; every rule adds to one list so all problems are reported at once. */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Adds zod's issues under `basePath`, each message prefixed with `prefix` (e.g. `field "serial": `). */
  addZod(error: z.ZodError, basePath: string, prefix = ''): void {
    for (const issue of error.issues) {
      const path = [basePath, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message;
      this.add(path, `${prefix}${message}`);
    }
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }
}
