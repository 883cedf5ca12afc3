import { describe, expect, it } from 'vitest';
import { chaosManifests } from '../../../src/chaos/kubernetes/manifests.js';
import { checkChaosNamespace } from '../../../src/chaos/kubernetes/namespace.js';
import { ExitCode, UsageError } from '../../../src/core/errors.js';
import { faultSpec } from './fixtures.js';

function refusal(namespace: string | undefined, allowlist?: readonly string[]): UsageError {
  try {
    checkChaosNamespace(namespace, allowlist);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.badInput);
    return error as UsageError;
  }
  throw new Error(`namespace ${String(namespace)} was accepted`);
}

describe('the namespace of chaos objects', () => {
  it('must be given', () => {
    for (const missing of [undefined, '']) {
      expect(refusal(missing).message).toBe(
        '--namespace is required: say where the chaos objects go rather than use the default',
      );
    }
  });

  it.each(['kube-system', 'kube-public', 'kube-node-lease', 'kube-flannel', 'chaos-mesh'])(
    '%s belongs to the cluster or to Chaos Mesh and is refused, even when allowlisted',
    (namespace) => {
      expect(refusal(namespace, [namespace]).message).toBe(
        `--namespace ${namespace} belongs to the cluster or to Chaos Mesh: refusing to inject faults there; choose a namespace of yours`,
      );
    },
  );

  it('outside an allowlist, when one is given, is refused', () => {
    expect(refusal('default', ['shop', 'shop-staging']).message).toBe(
      '--namespace default is not in the namespace allowlist (allowed: shop, shop-staging)',
    );
    expect(refusal('shop', []).message).toBe(
      '--namespace shop is not in the namespace allowlist (none is allowed)',
    );
    expect(checkChaosNamespace('shop', ['shop', 'shop-staging'])).toBe('shop');
  });

  it('that is not a namespace name is refused', () => {
    expect(refusal('Shop_1').message).toBe(
      `--namespace "Shop_1": expected a Kubernetes namespace (lowercase letters, digits and '-', at most 63)`,
    );
  });

  it('is any other namespace when no allowlist is given (a "kube" prefix without the dash is not the cluster’s)', () => {
    expect(checkChaosNamespace('shop')).toBe('shop');
    expect(checkChaosNamespace('kubecon-demo')).toBe('kubecon-demo');
  });

  it('is checked before manifests are built', () => {
    expect(() => chaosManifests(faultSpec('db-failover'), { namespace: 'kube-system', runId: 'r1' })).toThrow(
      UsageError,
    );
    expect(() =>
      chaosManifests(faultSpec('db-failover'), {
        namespace: 'shop',
        runId: 'r1',
        allowedNamespaces: ['staging'],
      }),
    ).toThrow(new UsageError('--namespace shop is not in the namespace allowlist (allowed: staging)'));
  });
});
