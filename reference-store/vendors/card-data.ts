// Card data must never reach the vendor: the store sends tokens only. A bare run of 13–19 digits
// (the ISO/IEC 7812 PAN lengths) or the printed 4-4-4-4(+) and 4-6-5 groupings count as a card number.
const cardNumberPatterns: readonly RegExp[] = [
  /(?<!\d)\d{13,19}(?!\d)/,
  /(?<!\d)\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}(?!\d)/,
  /(?<!\d)\d{4}([ -])\d{6}\1\d{5}(?!\d)/,
];

export function containsCardNumber(text: string): boolean {
  return cardNumberPatterns.some((pattern) => pattern.test(text));
}
