import { run } from './cli.js';
import { processIo } from './core/io.js';

const code = await run(process.argv.slice(2), processIo());
// Let pending stdout writes drain before exiting; process.exit() would cut piped output short.
process.exitCode = code;
