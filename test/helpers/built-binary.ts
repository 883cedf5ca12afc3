import { fileURLToPath } from 'node:url';

/** The bundle `npm test` builds first: the tests that run shopsre as a user does run this file. */
export const builtBinary = fileURLToPath(new URL('../../dist/shopsre.js', import.meta.url));
