/**
 * The fixed JavaScript of the generated k6 script: ports of the built-in journey, kept line for line
 * with their TypeScript originals so a k6 run sends what `shopsre load run` sends. Nothing here depends
 * on the plan; the plan arrives as the constants `renderK6Script` declares above this code (`seed`,
 * `baseUrl`/`targetUrl`, `segmentHeader`, `requestTimeout`, `segmentMix`, `funnel`, `sloMeasures`).
 * The code keeps to ES2017 syntax (Object.assign rather than object spread, no optional chaining)
 * plus optional catch binding, all of which k6's runtime (goja) runs, and carries JSDoc types so the
 * type-check against @types/k6 reaches into it.
 */

/**
 * src/loadgen/rng.ts: xoshiro128** seeded with splitmix32 from (seed, stream). The stream is the
 * iteration's number in the whole test (k6's `exec.scenario.iterationInTest`, unique across VUs and
 * k6-operator runners), so iteration i draws the same segment, depth and product as iteration i of a
 * built-in run with the same seed, whichever VU or runner runs it.
 */
export const randomJs = `/**
 * @param {number} seed
 * @param {number} stream
 */
function seededRandom(seed, stream) {
  let mix = 0;
  /** @param {number} input */
  const splitmix32 = (input) => {
    mix = (mix + 0x9e3779b9 + input) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  splitmix32(lowWord(seed));
  splitmix32(highWord(seed));
  splitmix32(lowWord(stream));
  splitmix32(highWord(stream));
  let a = splitmix32(0);
  let b = splitmix32(0);
  let c = splitmix32(0);
  let d = splitmix32(0);
  const nextUint32 = () => {
    const product = Math.imul(b, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result >>> 0;
  };
  return { nextUint32: nextUint32, next: () => nextUint32() / 4294967296 };
}

/** @param {number} value */
function lowWord(value) {
  return Math.trunc(value) >>> 0;
}

/** @param {number} value */
function highWord(value) {
  return Math.floor(Math.trunc(value) / 4294967296) | 0;
}

/**
 * @param {{ next(): number }} random
 * @param {Array<[string, number]>} weights
 */
function pickWeighted(random, weights) {
  const total = weights.reduce((sum, entry) => sum + entry[1], 0);
  let point = random.next() * total;
  for (const [key, weight] of weights) {
    if (point < weight) return key;
    point -= weight;
  }
  const last = weights.filter((entry) => entry[1] > 0).pop();
  if (!last) throw new Error('pickWeighted: every weight is zero');
  return last[0];
}

/**
 * @param {{ nextUint32(): number }} random
 * @param {number} length
 */
function randomHex(random, length) {
  let out = '';
  while (out.length < length) out += random.nextUint32().toString(16).padStart(8, '0');
  return out.slice(0, length);
}
`;

/** src/loadgen/journey/popularity.ts: a uniform draw to a Zipf popularity rank, summed in the same order. */
export const popularityJs = `/**
 * @param {{ count: number, skew: number }} popularity
 * @returns {(draw: number) => number}
 */
function popularityPicker(popularity) {
  const cumulative = new Float64Array(popularity.count);
  let total = 0;
  for (let k = 0; k < popularity.count; k++) {
    total += 1 / Math.pow(k + 1, popularity.skew);
    cumulative[k] = total;
  }
  return (draw) => {
    const point = draw * total;
    let low = 0;
    let high = popularity.count - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Number(cumulative[middle]) > point) high = middle;
      else low = middle + 1;
    }
    return low;
  };
}
`;

/** src/loadgen/journey/checks.ts: what counts as the expected body of each step. */
export const checksJs = `/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @returns {value is string | number}
 */
function isId(value) {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

/** @param {unknown} json */
function checkBrowse(json) {
  const items = Array.isArray(json) ? json : isRecord(json) ? json.items : undefined;
  if (!Array.isArray(items) || items.length === 0) return undefined;
  /** @type {Array<string | number>} */
  const ids = [];
  for (const item of items) {
    if (!isRecord(item) || !isId(item.id)) return undefined;
    ids.push(item.id);
  }
  return ids;
}

/** @param {unknown} json */
function checkProduct(json) {
  return isRecord(json) && isId(json.id) ? true : undefined;
}

/** @param {unknown} json */
function checkCart(json) {
  return isRecord(json) && Array.isArray(json.items) ? true : undefined;
}

/** @param {unknown} json */
function checkCheckout(json) {
  if (!isRecord(json) || typeof json.status !== 'string') return undefined;
  return isId(json.orderId) || isId(json.id) ? true : undefined;
}
`;

/**
 * src/loadgen/journey/step-sender.ts: one request, its check, and the samples the SLO thresholds
 * read. A request fails the way our results count failures: no answer, a status other than 2xx
 * (redirects are not followed, as undici does not follow them) that is not a business outcome of the
 * step (a checkout answered 409 out of stock), or a body without the expected shape. Each SLO metric
 * then counts the request as its own definition of bad says (src/slo/evaluate/results-source.ts).
 */
export const sendJs = `/** Steps whose body is not inspected. */
function anyBody() {
  return true;
}

// Custom metrics must be created in k6's init context, so here at the top level.
const sloMetrics = sloMeasures.map((slo) => ({
  slo: slo,
  metric: slo.kind === 'latency' ? new Trend(slo.name, true) : new Rate(slo.name),
}));

// k6's own http_req_failed then agrees with our status classes: 3xx is not a success either.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }));

/**
 * @param {Array<string | number>} patterns
 * @param {number} status
 */
function statusIn(patterns, status) {
  const statusClass = Math.floor(status / 100) + 'xx';
  return patterns.some((p) => p === status || p === statusClass);
}

/**
 * Whether one request is an event of an availability SLO, and whether it is bad, as the results count.
 * @param {{ bad: OutcomeSet, events: OutcomeSet | 'all' } | undefined} counting
 * @param {number} status
 * @param {string | undefined} failure
 */
function countAs(counting, status, failure) {
  if (counting === undefined) return { event: true, bad: failure !== undefined };
  const events = counting.events;
  if (status === 0) {
    const bad = failure !== undefined && counting.bad.errors.indexOf(failure) >= 0;
    const listed = events === 'all' || (failure !== undefined && events.errors.indexOf(failure) >= 0);
    return { event: bad || listed, bad: bad };
  }
  const badStatus = statusIn(counting.bad.status, status);
  const badCheck =
    failure === 'check' &&
    counting.bad.errors.indexOf('check') >= 0 &&
    !counting.bad.status.some((p) => p === '2xx' || (typeof p === 'number' && p < 300));
  const listed = events === 'all' || statusIn(events.status, status);
  return { event: badStatus || badCheck || listed, bad: badStatus || badCheck };
}

/**
 * @template T
 * @param {string} segment
 * @param {Record<string, string>} headers
 * @param {{ step: string, method: 'GET' | 'POST', url: string, name: string, body: string | null,
 *   readJson: boolean, check: (json: unknown) => T | undefined, outcomes?: Record<string, string> }} request
 * @returns {T | undefined}
 */
function send(segment, headers, request) {
  const tags = { step: request.step, segment: segment };
  const res = http.request(request.method, request.url, request.body, {
    headers: request.body === null ? headers : Object.assign({ 'content-type': 'application/json' }, headers),
    tags: { step: request.step, segment: segment, name: request.name },
    timeout: requestTimeout,
    redirects: 0,
    responseType: request.readJson ? 'text' : 'none',
  });
  const outcome = request.outcomes === undefined ? undefined : request.outcomes[String(res.status)];
  const answered = res.status >= 200 && res.status < 300;
  const value = answered ? request.check(request.readJson ? jsonOf(res) : undefined) : undefined;
  // k6 error code 1050 is its request timeout; any other request without a status never connected.
  /** @type {string | undefined} */
  let failure;
  if (res.status === 0) failure = res.error_code === 1050 ? 'timeout' : 'connection';
  else if (answered) failure = value === undefined ? 'check' : undefined;
  else failure = outcome === undefined ? 'status' : undefined;
  const ok = failure === undefined;
  check(res, { [request.step + ' answered 2xx with the expected body']: () => ok }, tags);
  for (const measure of sloMetrics) {
    if (measure.slo.segment !== undefined && measure.slo.segment !== segment) continue;
    if (measure.slo.steps.length > 0 && measure.slo.steps.indexOf(request.step) < 0) continue;
    if (measure.slo.kind === 'latency') {
      measure.metric.add(res.timings.duration, tags);
      continue;
    }
    const counted = countAs(measure.slo.counting, res.status, failure);
    if (counted.event) measure.metric.add(counted.bad, tags);
  }
  return ok ? value : undefined;
}

/** @param {import('k6/http').Response} res */
function jsonOf(res) {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

/**
 * Prefix of session ids and idempotency keys, as the built-in generator's run nonce: a second run of
 * the same script replays the same journeys, but must not replay the same checkouts (the store would
 * answer them from its idempotency cache). The scenario's start time differs between runs.
 */
function runNonce() {
  return (exec.scenario.startTime >>> 0).toString(16).padStart(8, '0');
}
`;

/** src/loadgen/journey/checkout.ts: the funnel, with the draws in the order the planner makes them. */
export const checkoutIterationJs = `const rankOf = popularityPicker(products);
// Checkout answers about the order, not failures: pending, declined, out of stock.
const checkoutOutcomes = { 202: 'pending', 402: 'declined', 409: 'outOfStock' };

export default function () {
  const random = seededRandom(seed, exec.scenario.iterationInTest);
  // Draw order is part of the replay contract (src/loadgen/journey/iteration-plan.ts).
  const segment = pickWeighted(random, segmentMix);
  const depth = pickWeighted(random, funnel);
  const productRank = rankOf(random.next());
  const nonce = runNonce();
  const sessionId = nonce + '-' + randomHex(random, 16);
  const idempotencyKey = nonce + '-' + randomHex(random, 32);
  const declined = random.next() < declineShare;
  /** @type {Record<string, string>} */
  const headers = { 'x-session-id': sessionId };
  headers[segmentHeader] = segment;

  // The catalog page that holds the product of this rank, 20 products a page.
  const index = productRank % 20;
  const offset = productRank - index;
  const ids = send(segment, headers, {
    step: 'browse',
    method: 'GET',
    url: baseUrl + '/api/products?limit=20&offset=' + offset,
    name: '/api/products',
    body: null,
    readJson: true,
    check: checkBrowse,
  });
  const productId =
    ids === undefined ? undefined : ids[index < ids.length ? index : index % ids.length];
  if (productId === undefined) return;
  const viewed = send(segment, headers, {
    step: 'product',
    method: 'GET',
    url: baseUrl + '/api/products/' + encodeURIComponent(String(productId)),
    name: '/api/products/:id',
    body: null,
    readJson: true,
    check: checkProduct,
  });
  if (viewed === undefined || depth === 'browse') return;

  const added = send(segment, headers, {
    step: 'add-to-cart',
    method: 'POST',
    url: baseUrl + '/api/cart/items',
    name: '/api/cart/items',
    body: JSON.stringify({ productId: productId, quantity: 1 }),
    readJson: false,
    check: anyBody,
  });
  if (added === undefined) return;
  const cart = send(segment, headers, {
    step: 'cart',
    method: 'GET',
    url: baseUrl + '/api/cart',
    name: '/api/cart',
    body: null,
    readJson: true,
    check: checkCart,
  });
  if (cart === undefined || depth === 'add-to-cart') return;

  send(segment, Object.assign({ 'idempotency-key': idempotencyKey }, headers), {
    step: 'checkout',
    method: 'POST',
    url: baseUrl + '/api/checkout',
    name: '/api/checkout',
    // Gateway test tokens: the journey never sends or holds a card number.
    body: JSON.stringify({ paymentToken: declined ? 'tok_chargeDeclined' : 'tok_test_visa' }),
    readJson: true,
    check: checkCheckout,
    outcomes: checkoutOutcomes,
  });
}
`;

/** src/loadgen/journey/single.ts: one GET of the target, status checked, body discarded. */
export const singleIterationJs = `export default function () {
  const segment = pickWeighted(seededRandom(seed, exec.scenario.iterationInTest), segmentMix);
  /** @type {Record<string, string>} */
  const headers = {};
  headers[segmentHeader] = segment;
  send(segment, headers, {
    step: 'single',
    method: 'GET',
    url: targetUrl,
    name: targetUrl,
    body: null,
    readJson: false,
    check: anyBody,
  });
}
`;
