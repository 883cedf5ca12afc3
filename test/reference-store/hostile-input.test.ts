import { describe } from 'vitest';
import { hostileInputBehaviour } from './support/hostile-input-behaviour.js';
import { startTestStore } from './support/test-store.js';

describe('hostile input on the embedded database (PGlite over the wire)', () => {
  hostileInputBehaviour('pglite', () => startTestStore());
});
