import { processIo } from './core/io.js';
import { version } from './version.js';

// `shopsre ... | head` closes the pipe early; that is the reader's choice, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
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
