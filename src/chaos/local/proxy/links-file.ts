/**
 * The links of standalone fault proxies (`shopsre chaos proxy`), from a file or from `--link` flags.
 * A file holds either shopsre's document
 *
 * ```yaml
 * apiVersion: shopsre/v1
 * kind: FaultProxyLinks
 * links:
 *   - { name: database, listen: 127.0.0.1:15432, upstream: 127.0.0.1:5432 }
 *   - { name: vendor, kind: http, listen: 127.0.0.1:18080, upstream: http://127.0.0.1:8080 }
 * ```
 *
 * or Toxiproxy's `-config` file as it is: a JSON list of `{ name, listen, upstream, enabled }`.
 */
import { z } from 'zod';
import { InputError, UsageError, type Finding } from '../../../core/errors.js';
import { parseSingleYamlDocument, subDocument, zodIssuesToFindings } from '../../../core/yaml-source.js';
import { FaultProxyError } from './errors.js';
import { parseProxy, type ListenPolicy } from './proxy-schema.js';
import type { ProxyKind } from './schema.js';

/** One link: a proxy to create, as the control API's POST /proxies takes it. */
export interface ProxyLink {
  readonly name: string;
  readonly kind: ProxyKind;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

const linkSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['tcp', 'http']).default('tcp'),
  listen: z.string().default('127.0.0.1:0'),
  upstream: z.string(),
  enabled: z.boolean().default(true),
});
const linksSchema = z.array(linkSchema);
const documentSchema = z.strictObject({
  apiVersion: z.literal('shopsre/v1'),
  kind: z.literal('FaultProxyLinks'),
  links: linksSchema,
});
const vocabulary = ['apiVersion', 'kind', 'links', 'name', 'listen', 'upstream', 'enabled', 'tcp', 'http'];

/** Parses a links file (YAML or JSON); every finding, as file:line:col, in one InputError. */
export function parseLinksFile(file: string, text: string, policy: ListenPolicy): ProxyLink[] {
  const doc = parseSingleYamlDocument(file, text, 'FaultProxyLinks');
  const toxiproxyConfig = Array.isArray(doc.value);
  const parsed = toxiproxyConfig ? linksSchema.safeParse(doc.value) : documentSchema.safeParse(doc.value);
  if (!parsed.success) throw new InputError(zodIssuesToFindings(doc, parsed.error.issues, vocabulary));
  const links = Array.isArray(parsed.data) ? parsed.data : parsed.data.links;
  const prefix = toxiproxyConfig ? [] : ['links'];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  links.forEach((link, index) => {
    const at = subDocument(doc, [...prefix, index], link);
    if (seen.has(link.name)) {
      findings.push({ location: at.locate(['name']), message: `link "${link.name}" is listed twice` });
    }
    seen.add(link.name);
    const problem = addressProblem(link, policy);
    if (problem) findings.push({ location: at.locate([problem.field]), message: problem.message });
  });
  if (findings.length > 0) throw new InputError(findings);
  return links;
}

/**
 * `--link [http:|tcp:]NAME=LISTEN=UPSTREAM`; an `http://` upstream makes an HTTP link without the
 * prefix too. Bad ones are usage errors naming the flag.
 */
export function parseLinkFlag(text: string, policy: ListenPolicy): ProxyLink {
  const prefixed = /^(tcp|http):(?!\/\/)(.*)$/.exec(text);
  const rest = prefixed?.[2] ?? text;
  const parts = rest.split('=');
  const [name, listen, upstream] = parts;
  if (parts.length !== 3 || !name || !listen || !upstream) {
    throw new UsageError(
      `--link "${text}": expected [http:]NAME=LISTEN=UPSTREAM, e.g. database=127.0.0.1:15432=127.0.0.1:5432`,
    );
  }
  const kind: ProxyKind =
    (prefixed?.[1] as ProxyKind | undefined) ?? (upstream.startsWith('http://') ? 'http' : 'tcp');
  const link: ProxyLink = { name, kind, listen, upstream, enabled: true };
  const problem = addressProblem(link, policy);
  if (problem) throw new UsageError(`--link "${text}": ${problem.message}`);
  return link;
}

/** The control API's own checks (name, addresses, loopback), so a file and the API refuse alike. */
function addressProblem(
  link: ProxyLink,
  policy: ListenPolicy,
): { field: 'name' | 'listen' | 'upstream'; message: string } | undefined {
  try {
    parseProxy(link, policy);
    return undefined;
  } catch (error) {
    if (!(error instanceof FaultProxyError)) throw error;
    const field = /^(name|listen|upstream): /.exec(error.message)?.[1] as
      'name' | 'listen' | 'upstream' | undefined;
    return { field: field ?? 'name', message: error.message };
  }
}
