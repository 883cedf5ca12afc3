/**
 * Chaos Mesh objects as the driver writes them: the subset of the CRDs (chaos-mesh.org/v1alpha1,
 * schemas in shared/schemas/chaos-mesh/) that the fault mapping uses, typed so a misspelled field
 * fails the build rather than being pruned by the API server.
 */
export const chaosApiGroup = 'chaos-mesh.org';
export const chaosVersion = 'v1alpha1';
export const chaosApiVersion = `${chaosApiGroup}/${chaosVersion}`;

/** Each kind with the plural of its resource, as the API paths spell it. */
export const chaosPlurals = {
  NetworkChaos: 'networkchaos',
  PodChaos: 'podchaos',
  DNSChaos: 'dnschaos',
} as const;
export type ChaosKind = keyof typeof chaosPlurals;
export const chaosKinds = Object.keys(chaosPlurals) as readonly ChaosKind[];

/** Labels and annotations every object carries; `chaos revert` finds leftovers by the first. */
export const chaosLabels = {
  managedBy: 'app.kubernetes.io/managed-by',
  runId: 'shopsre.dev/run-id',
  fault: 'shopsre.dev/fault',
} as const;
export const managedBy = 'shopsre';
export const leftoverSelector = `${chaosLabels.managedBy}=${managedBy}`;
/** Says how the object falls short of the fault it stands for, when Chaos Mesh cannot do it exactly. */
export const approximationAnnotation = 'shopsre.dev/approximation';

export type Labels = Readonly<Record<string, string>>;
export type PodMode = 'one' | 'all' | 'fixed' | 'fixed-percent' | 'random-max-percent';

export interface PodSelector {
  readonly namespaces: readonly string[];
  readonly labelSelectors: Labels;
}

interface ChaosMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly annotations?: Labels;
}

/** Which pods take the fault, and for how long: common to every kind. */
interface ChaosScope {
  readonly mode: PodMode;
  readonly value?: string;
  readonly selector: PodSelector;
  readonly duration: string;
}

export interface NetworkChaosSpec extends ChaosScope {
  readonly action: 'delay' | 'loss' | 'netem' | 'partition';
  readonly direction: 'to' | 'both';
  readonly target?: { readonly mode: PodMode; readonly selector: PodSelector };
  readonly externalTargets?: readonly string[];
  readonly delay?: { readonly latency: string; readonly jitter: string; readonly correlation: string };
  readonly loss?: { readonly loss: string; readonly correlation: string };
}

interface PodChaosSpec extends ChaosScope {
  readonly action: 'pod-kill';
  readonly gracePeriod: number;
}

interface DNSChaosSpec extends ChaosScope {
  readonly action: 'error';
  readonly patterns: readonly string[];
}

interface SpecOf {
  NetworkChaos: NetworkChaosSpec;
  PodChaos: PodChaosSpec;
  DNSChaos: DNSChaosSpec;
}

export type ChaosObjectOf<K extends ChaosKind> = {
  readonly apiVersion: typeof chaosApiVersion;
  readonly kind: K;
  readonly metadata: ChaosMetadata;
  readonly spec: SpecOf[K];
};
export type ChaosObject = { [K in ChaosKind]: ChaosObjectOf<K> }[ChaosKind];

/** What names one object on the cluster: enough to read it back and to delete it. */
export interface ChaosRef {
  readonly kind: ChaosKind;
  readonly namespace: string;
  readonly name: string;
}

export function refOf(object: ChaosObject): ChaosRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

export function describeRef(ref: ChaosRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

export function kubectlDelete(ref: ChaosRef): string {
  return `kubectl delete ${chaosPlurals[ref.kind]}/${ref.name} -n ${ref.namespace}`;
}
