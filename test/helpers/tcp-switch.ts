import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP forwarder a test can cut (every connection dropped, new ones refused) and restore. */
export interface TcpSwitch {
  readonly port: number;
  /** The URL with its host:port replaced by this switch's 127.0.0.1:port (any scheme, e.g. postgres://). */
  url(replacePortIn: string): string;
  /** Destroys every open connection, both sides, and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** Client connections open now. */
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpSwitch(target: { host: string; port: number }): Promise<TcpSwitch> {
  const pairs = new Set<readonly [Socket, Socket]>();
  let open = true;
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    upstream.on('error', () => undefined);
    const pair = [client, upstream] as const;
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const cutAll = (): void => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    url(replacePortIn) {
      const url = new URL(replacePortIn);
      url.host = `127.0.0.1:${port}`;
      return url.href;
    },
    cut() {
      open = false;
      cutAll();
    },
    restore() {
      open = true;
    },
    connections: () => pairs.size,
    close() {
      open = false;
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
