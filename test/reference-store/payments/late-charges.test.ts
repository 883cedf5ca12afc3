import { describe } from 'vitest';
import { lateChargeBehaviour } from '../support/late-charge-behaviour.js';
import { startTestStore } from '../support/test-store.js';

describe('late charges on the embedded database (PGlite over the wire)', () => {
  lateChargeBehaviour((options) => startTestStore(options));
});
