// Reads vitest's JSON report and prints one plain closing line: `tests: N passed, N failed, N skipped`.
// Exits non-zero when anything failed, when any test was skipped or left as a todo, or when a test file
// reported no tests: in CI a missing real component must fail loudly, and a skip would hide it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2] ?? '.vitest-results.json', 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
const empty = report.testResults
  .filter((file) => file.assertionResults.length === 0)
  .map((file) => relative(process.cwd(), file.name));
const skippedTests = report.testResults.flatMap((file) =>
  file.assertionResults
    .filter((test) => test.status === 'pending' || test.status === 'skipped' || test.status === 'todo')
    .map((test) => `${relative(process.cwd(), file.name)}: ${test.fullName}`),
);

console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
for (const name of skippedTests) console.log(`skipped: ${name}`);
for (const name of empty) console.log(`no tests: ${name}`);
const failed = report.numFailedTests > 0 || report.numFailedTestSuites > 0 || report.numTotalTests === 0;
process.exitCode = failed || skipped > 0 || skippedTests.length > 0 || empty.length > 0 ? 1 : 0;
