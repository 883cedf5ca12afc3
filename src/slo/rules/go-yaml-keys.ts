/**
 * yaml.v2's order for map keys (sorter.go), which Go applies to every `map[string]string` it
 * marshals: runs of digits compare as numbers (`a2` < `a10`) and non-letters sort before letters.
 */
export function compareGoYamlKeys(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] ?? '';
    const bc = br[i] ?? '';
    if (ac === bc) continue;
    const aLetter = isLetter(ac);
    const bLetter = isLetter(bc);
    if (aLetter && bLetter) return ac < bc ? -1 : 1;
    if (aLetter || bLetter) return bLetter ? -1 : 1;
    const an = digitRun(ar, i, ac === '0' || bc === '0');
    const bn = digitRun(br, i, ac === '0' || bc === '0');
    if (an.value !== bn.value) return an.value < bn.value ? -1 : 1;
    if (an.end !== bn.end) return an.end < bn.end ? -1 : 1;
    return ac < bc ? -1 : 1;
  }
  return ar.length - br.length;
}

function isLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/**
 * The number formed by the digits from `start`. When a zero is involved and the digits before
 * `start` hold a non-zero, yaml.v2 starts the count at 1 so `a01` and `a1` keep their text order.
 */
function digitRun(
  chars: readonly string[],
  start: number,
  zeroInvolved: boolean,
): { value: bigint; end: number } {
  let value = 0n;
  if (zeroInvolved) {
    for (let j = start - 1; j >= 0 && isDigit(chars[j] ?? ''); j--) {
      if (chars[j] !== '0') {
        value = 1n;
        break;
      }
    }
  }
  let end = start;
  for (; end < chars.length && isDigit(chars[end] ?? ''); end++)
    value = value * 10n + BigInt(chars[end] ?? '0');
  return { value, end };
}

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}
