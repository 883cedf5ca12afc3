import { processIo } from './core/io.js';
import { version } from './version.js';

// The terminal went away (SIGHUP): a command that handles it (a game day, a held fault) still
// reverts and writes its files, and its output has nowhere to go; one that does not ends as Node's
// default would.
let hungUp = false;
process.on('SIGHUP', () => {
  hungUp = true;
  if (process.listenerCount('SIGHUP') === 1) process.exit(129);
});

// `shopsre ... | head` closes the pipe early; that is the reader's choice, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (hungUp && (error.code === 'EIO' || error.code === 'EPIPE')) return;
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const argv = process.argv.slice(2);
// `--version` is what scripts call most often to probe for the tool: answer it without loading the
// command parser.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${version}\n`);
} else {
  const { run } = await import('./cli.js');
  // Let pending stdout writes drain before exiting; process.exit() would cut piped output short.
  process.exitCode = await run(argv, processIo());
}
