import pg from 'pg';
import { EnvironmentError } from '../../../src/core/errors.js';
import { createVendorClient, type VendorEndpoint } from '../payments/vendor-client.js';
import { verifyInvariants, type AcknowledgedCheckout, type InvariantReport } from './invariants.js';

export interface DatabaseVerifyRequest {
  readonly databaseUrl: string;
  /** The vendors whose ledgers hold the store's charges; without them charges are not checked. */
  readonly vendors: readonly VendorEndpoint[];
  readonly acknowledged?: readonly AcknowledgedCheckout[];
}

/**
 * The invariants from outside any store process: its database, and the ledgers of the vendors it
 * pays through when their addresses and keys are given.
 */
export async function verifyDatabase(request: DatabaseVerifyRequest): Promise<InvariantReport> {
  const pool = new pg.Pool({ connectionString: request.databaseUrl, max: 2, connectionTimeoutMillis: 5000 });
  // An idle connection that the server drops must not take the process down.
  pool.on('error', () => undefined);
  const vendors = request.vendors.map((endpoint) => createVendorClient(endpoint, 2));
  try {
    return await verifyInvariants({
      pool,
      vendors,
      ...(request.acknowledged ? { acknowledged: request.acknowledged } : {}),
    });
  } catch (error) {
    throw new EnvironmentError(`cannot verify the database: ${(error as Error).message}`);
  } finally {
    await Promise.all(vendors.map((vendor) => vendor.close()));
    await pool.end();
  }
}
