import type { Reporter } from 'vitest/reporters';

type Task = { type: string; result?: { state?: string }; tasks?: Task[] };

/**
 * One plain closing line, "N passed, N failed", after vitest's own summary: the form CI logs
 * are read by, whatever the test runner.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = []): void {
    let passed = 0;
    let failed = 0;
    const visit = (task: Task): void => {
      if (task.type === 'test') {
        if (task.result?.state === 'pass') passed++;
        else if (task.result?.state === 'fail') failed++;
      }
      task.tasks?.forEach(visit);
    };
    files.forEach(visit);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
}
