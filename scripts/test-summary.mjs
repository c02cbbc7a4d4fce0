// Prints vitest's JSON report as one plain closing line ("tests: N passed, N failed, N skipped"),
// the form CI reads, and fails when no test ran.
import { readFileSync } from 'node:fs';
import process from 'node:process';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
process.stdout.write(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped\n`);
if (report.numTotalTests === 0 || report.numFailedTests > 0) process.exitCode = 1;
