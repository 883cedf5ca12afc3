import type { ChaosObject } from './chaos-object.js';
import { chaosObject, choiceParam, numberParam, percent, type FaultContext } from './build.js';
import { netemTime } from './go-duration.js';

/*
 * The payment vendors are outside the cluster, so every vendor fault acts on the store's pods with
 * the vendor's host as a NetworkChaos `externalTargets` entry (direction `to`, the only direction
 * external targets take) or as a DNSChaos pattern (which needs Chaos Mesh's DNS server, deployed by
 * default). HTTPChaos is never used: it cannot touch HTTPS unless the store trusts a CA of ours (a
 * man in the middle), and the store's calls to a vendor are HTTPS.
 * Chaos Mesh resolves an external host name once, in the controller, when it injects
 * (`netutils.ResolveCidrs`); a vendor whose addresses rotate can escape part of a long fault.
 */

function vendorHost(context: FaultContext): string {
  return choiceParam(context.spec, 'vendor') === 'backup'
    ? context.options.vendorHosts.backup
    : context.options.vendorHosts.primary;
}

const noCounting =
  'firstN is not reproduced: Chaos Mesh does not count calls, every call in the window is affected';

/**
 * vendor-outage. With `rate` 1: mode `error` is a DNSChaos `error` on the vendor's host, the nearest
 * thing to a vendor that answers at once with an error (no HTTP status can be made up on the wire);
 * `hang` is a NetworkChaos `partition`, packets to the vendor dropped, so calls wait for the store's
 * timeout as they would on a hung vendor; `reset` is the same partition, since Chaos Mesh cannot send
 * TCP resets. Neither DNSChaos nor a partition takes a share, so a `rate` below 1 becomes a
 * NetworkChaos `loss` of that share of packets, in every mode.
 */
export function vendorOutage(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  const host = vendorHost(context);
  const mode = choiceParam(spec, 'mode');
  const rate = numberParam(spec, 'rate');
  const counting = numberParam(spec, 'firstN') > 0 ? [noCounting] : [];
  if (rate < 1) {
    return [
      chaosObject(
        context,
        'NetworkChaos',
        options.store,
        {
          action: 'loss',
          direction: 'to',
          externalTargets: [host],
          loss: { loss: percent(rate), correlation: '0' },
        },
        [
          `a share of failing calls is approximated by losing ${percent(rate)}% of the packets to ${host}: ` +
            'TCP retransmits turn most losses into slow calls rather than failed ones',
          ...counting,
        ],
      ),
    ];
  }
  if (mode === 'error') {
    return [
      chaosObject(context, 'DNSChaos', options.store, { action: 'error', patterns: [host] }, [
        `a vendor answering ${numberParam(spec, 'status')} is approximated by DNS errors for ${host}: ` +
          'new connections fail before any HTTP, connections already open keep working until they close',
        ...counting,
      ]),
    ];
  }
  return [
    chaosObject(
      context,
      'NetworkChaos',
      options.store,
      { action: 'partition', direction: 'to', externalTargets: [host] },
      [
        ...(mode === 'reset'
          ? [
              'Chaos Mesh cannot reset connections: packets to the vendor are dropped, so calls hang until the store times out',
            ]
          : []),
        ...counting,
      ],
    ),
  ];
}

/**
 * vendor-latency: a NetworkChaos `delay` on packets to the vendor, with jitter. netem delays packets,
 * not calls: a call on an open connection pays the latency about once per round trip, a call that
 * opens a TLS connection three or four times; and netem has no share of packets to delay.
 */
export function vendorLatency(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  const host = vendorHost(context);
  const rate = numberParam(spec, 'rate');
  return [
    chaosObject(
      context,
      'NetworkChaos',
      options.store,
      {
        action: 'delay',
        direction: 'to',
        externalTargets: [host],
        delay: {
          latency: netemTime(numberParam(spec, 'latencyMs')),
          jitter: netemTime(numberParam(spec, 'jitterMs')),
          correlation: '0',
        },
      },
      [
        'latency is added per round trip to the vendor, not per call: a call that opens a TLS connection pays it several times',
        ...(rate < 1 ? [`rate ${rate} is not reproduced: netem delays every packet to ${host}`] : []),
      ],
    ),
  ];
}

/**
 * vendor-throttle has no network equivalent: a 429 with Retry-After is an HTTP answer. The closest
 * is a NetworkChaos `netem` that delays packets to the vendor by Retry-After (the wait a throttled
 * client is told to make) and loses the rate's share of them (the throttled calls).
 */
export function vendorThrottle(context: FaultContext): ChaosObject[] {
  const { spec, options } = context;
  const host = vendorHost(context);
  const rate = numberParam(spec, 'rate');
  const retryAfterMs = numberParam(spec, 'retryAfterSeconds') * 1000;
  return [
    chaosObject(
      context,
      'NetworkChaos',
      options.store,
      {
        action: 'netem',
        direction: 'to',
        externalTargets: [host],
        delay: { latency: netemTime(retryAfterMs), jitter: '0ms', correlation: '0' },
        loss: { loss: percent(rate), correlation: '0' },
      },
      [
        `429 with Retry-After has no network equivalent: packets to ${host} are delayed by Retry-After ` +
          `and ${percent(rate)}% of them lost, so the store sees slow calls and timeouts, never a 429`,
      ],
    ),
  ];
}
