// npm test: prerequisites, the type check and the linter, the extension build, then unit + integration tests
// and the end-to-end tests (one browser at a time: this machine has two cores). Ends with one summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: false }).status ?? 1;
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

if (run(process.execPath, ['scripts/test-prereqs.mjs']) !== 0) process.exit(1);
// Types and lint first: a rule broken is a failed run, as on CI (which runs npm test).
if (run(npx, ['tsc', '--noEmit']) !== 0) {
  console.error('npm test: the type check failed (npx tsc --noEmit)');
  process.exit(1);
}
if (run(npx, ['biome', 'lint', '.']) !== 0) {
  console.error('npm test: the linter found errors (npx biome lint .)');
  process.exit(1);
}
if (run(npx, ['wxt', 'build']) !== 0) process.exit(1);
// The e2e variant (.output-e2e): also reads the saved Gmail pages the tests serve on 127.0.0.1/gmail/.
const e2eBuild = spawnSync(npx, ['wxt', 'build'], {
  stdio: 'inherit',
  env: { ...process.env, KESHER_E2E: '1' },
});
if (e2eBuild.status !== 0) process.exit(1);

mkdirSync('.tmp', { recursive: true });
const suites = [
  { name: 'unit+integration', args: ['--project', 'unit', '--project', 'integration'] },
  { name: 'e2e', args: ['--project', 'e2e', '--no-file-parallelism'] },
];
let passed = 0;
let failed = 0;
let skipped = 0;
let status = 0;
for (const suite of suites) {
  const report = `.tmp/vitest-${suite.name}.json`;
  rmSync(report, { force: true });
  const code = run(npx, [
    'vitest',
    'run',
    ...suite.args,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (code !== 0) status = code;
  try {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + (result.numTodoTests ?? 0);
  } catch {
    failed += 1;
    console.error(`${suite.name}: no test report was written`);
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
