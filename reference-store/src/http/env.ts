/** What the middleware learns about a request, for the routes after it (hono's typed variables). */
export interface StoreEnv {
  Variables: {
    segment: string;
    /** `customer:<id>` or `session:<id>`: whose cart this is; undefined when the request names neither. */
    cartKey: string | undefined;
  };
}
