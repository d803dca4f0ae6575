/**
 * The dev server runs under a small watchdog process that stops it (and deletes its database)
 * when the test process that started it goes away, however it goes: the watchdog's stdin is
 * a pipe from that process, and the pipe closes when it exits, is killed, or crashes.
 * Plain JavaScript for `node -e`, so it needs no build or loader. Prints the server's pid first.
 */
export const watchdogScript = `
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const [cli, ...args] = process.argv.slice(1);
const server = spawn(cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const stop = () => {
  if (server.exitCode !== null) return;
  server.kill('SIGTERM');
  setTimeout(() => server.exitCode === null && server.kill('SIGKILL'), 5000);
};
server.once('error', (err) => { process.stderr.write(err.message); process.exit(127); });
server.once('spawn', () => process.stdout.write(server.pid + '\\n'));
server.once('exit', (code) => {
  if (process.env.BATON_DEV_SERVER_DIR) rmSync(process.env.BATON_DEV_SERVER_DIR, { recursive: true, force: true });
  process.exit(code ?? 1);
});
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;
