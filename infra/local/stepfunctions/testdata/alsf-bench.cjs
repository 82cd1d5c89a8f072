// Runs an ASL definition N times with the npm package aws-local-stepfunctions,
// resolved from the current directory, and prints state transitions per second.
// Side-by-side peer of BenchmarkTransitions; see the package report for the command.
if (typeof Promise.withResolvers !== 'function') { // Node 20 lacks it; the package needs it.
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
const { readFileSync } = require('node:fs');
const { StateMachine } = require(require.resolve('aws-local-stepfunctions', { paths: [process.cwd()] }));
const [file, nArg, perArg] = process.argv.slice(2);
const n = Number(nArg || 2000), perExecution = Number(perArg || 10);
(async () => {
  const sm = new StateMachine(JSON.parse(readFileSync(file, 'utf8')));
  const input = { candidate: 'c-1', purposes: ['talent_pool', 'interview_recording'] };
  let out;
  for (let i = 0; i < 500; i++) out = await sm.run(input).result; // warm up the JIT
  const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) out = await sm.run(input).result;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0), cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({
    executions: n, seconds: secs, cpuSeconds: cpuSecs,
    transitionsPerSecond: Math.round(n * perExecution / secs),
    transitionsPerCpuSecond: Math.round(n * perExecution / cpuSecs),
    output: out,
  }));
})();
