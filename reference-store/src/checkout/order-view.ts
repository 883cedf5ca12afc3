import type { OrderRecord } from './order-repository.js';

/** What clients see of an order: no idempotency key, request hash or cart key. */
export interface OrderView {
  readonly orderId: string;
  readonly status: OrderRecord['status'];
  readonly segment: string;
  readonly totalCents: number;
  readonly currency: string;
  readonly items: OrderRecord['items'];
  readonly payment: { readonly provider: string; readonly intentId: string | null } | null;
  readonly failureReason: string | null;
  readonly createdAt: string;
}

export function orderView(order: OrderRecord): OrderView {
  return {
    orderId: order.id,
    status: order.status,
    segment: order.segment,
    totalCents: order.totalCents,
    currency: order.currency,
    items: order.items,
    payment: order.paymentProvider
      ? { provider: order.paymentProvider, intentId: order.paymentIntentId }
      : null,
    failureReason: order.status === 'payment_failed' ? order.failureReason : null,
    createdAt: order.createdAt,
  };
}
