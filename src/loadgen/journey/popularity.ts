import type { ProductPopularity } from '../plan.js';

/** Products per browse page: the journey browses the page that holds the product it will view. */
export const catalogPageSize = 20;

/**
 * Zipf popularity over the catalog: maps a uniform draw in [0, 1) to a popularity rank (0 the most
 * popular), rank k having weight 1/(k+1)^skew. A whole catalog rather than the first page, so a
 * steady run spreads its orders the way shoppers do and does not sell out the first twenty products
 * within a minute; a high skew is how a profile asks for a hot product.
 *
 * The cumulative weights are summed in rank order, the same loop as the k6 port (k6/journey-js.ts),
 * so both map a draw to the same rank.
 */
export function popularityPicker(popularity: ProductPopularity): (draw: number) => number {
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
      if ((cumulative[middle] ?? total) > point) high = middle;
      else low = middle + 1;
    }
    return low;
  };
}
