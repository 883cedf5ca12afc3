import { describe, expect, it, vi } from 'vitest';
import { EnvironmentError, UsageError } from '../../src/core/errors.js';
import { isLoopbackOrNamed } from '../../src/core/loopback.js';
import { checkTarget, checkTargets, type LookupAll } from '../../src/loadgen/safety.js';

const resolvesTo =
  (...addresses: string[]): LookupAll =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address })));
const noLookup: LookupAll = () => Promise.reject(new Error('no lookup expected'));

describe('load goes to loopback unless a host is allowed', () => {
  it.each([
    'http://127.0.0.1:8080',
    'http://127.8.9.10/',
    'http://[::1]:3000/api',
    'http://[::ffff:127.0.0.1]/',
    'http://localhost:8080',
    'http://shop.localhost/',
  ])('allows %s without asking DNS', async (target) => {
    await expect(checkTarget(target, [], noLookup)).resolves.toBeUndefined();
  });

  it.each([
    'http://10.0.0.5:8080',
    'http://[2001:db8::1]/',
    'https://192.168.1.20',
    'http://[::ffff:10.0.0.1]/',
  ])('refuses %s with exit 2 and the way out', async (target) => {
    const refusal = checkTarget(target, [], noLookup);
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toThrow(
      /only loopback targets are allowed by default; .* add --allow-target /,
    );
  });

  it('allows any host named with --allow-target, without resolving it', async () => {
    await expect(checkTarget('http://10.0.0.5:8080', ['10.0.0.5'], noLookup)).resolves.toBeUndefined();
    await expect(
      checkTarget('https://Staging.Shop.example/', ['staging.shop.example'], noLookup),
    ).resolves.toBeUndefined();
    await expect(checkTarget('http://[2001:db8::1]/', ['[2001:db8::1]'], noLookup)).resolves.toBeUndefined();
  });

  it('resolves names with the injected lookup: loopback answers pass, any other address refuses', async () => {
    const lookup = vi.fn(resolvesTo('127.0.0.1', '::1'));
    await checkTarget('http://store.internal:8080', [], lookup);
    expect(lookup).toHaveBeenCalledWith('store.internal');
    await expect(
      checkTarget('http://store.internal', [], resolvesTo('127.0.0.1', '203.0.113.7')),
    ).rejects.toThrow(
      new UsageError(
        'refusing to send load to store.internal (resolves to 203.0.113.7): only loopback targets are allowed by default; ' +
          'if this host is yours to load, add --allow-target store.internal',
      ),
    );
  });

  it('reports a name that does not resolve as an unreachable target (exit 3)', async () => {
    const notFound: LookupAll = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }));
    await expect(checkTarget('http://nowhere.invalid', [], notFound)).rejects.toThrow(
      new EnvironmentError(
        'cannot resolve target host nowhere.invalid (ENOTFOUND): the target is unreachable',
      ),
    );
  });
});

describe('the hosts one run may reach (a game day against your own services)', () => {
  it('clears a name found to resolve to loopback only, for the checks that read names as written', async () => {
    const targets = [
      'http://shop.internal:8080',
      'http://shop.internal:8080/metrics',
      'http://Chaos.Internal:8474',
    ];
    // Before: the control client and the scrape config refused what checkTarget had let through.
    expect(isLoopbackOrNamed('shop.internal', [])).toBe(false);
    const cleared = await checkTargets(targets, [], resolvesTo('127.0.0.1'));
    expect(cleared).toEqual(['shop.internal', 'chaos.internal']);
    expect(isLoopbackOrNamed('shop.internal', cleared)).toBe(true);
    expect(isLoopbackOrNamed('CHAOS.internal', cleared)).toBe(true);
    expect(isLoopbackOrNamed('elsewhere.internal', cleared)).toBe(false);
  });

  it('keeps the named hosts, and refuses as checkTarget does when one target is outside', async () => {
    await expect(checkTargets(['http://10.0.0.5:8080'], ['10.0.0.5'], noLookup)).resolves.toEqual([
      '10.0.0.5',
    ]);
    await expect(
      checkTargets(
        ['http://127.0.0.1:8080', 'http://shop.internal/'],
        [],
        resolvesTo('127.0.0.1', '203.0.113.7'),
      ),
    ).rejects.toThrow(/refusing to send load to shop\.internal \(resolves to 203\.0\.113\.7\)/);
  });
});
