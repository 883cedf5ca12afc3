import { describe } from 'vitest';
import { storeBehaviour } from './support/store-behaviour.js';
import { startTestStore } from './support/test-store.js';

describe('the reference store on its embedded database (PGlite over the wire)', () => {
  storeBehaviour(() => startTestStore());
});
