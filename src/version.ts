// Replaced at build time by esbuild's `define`; the fallback serves tests that run the sources.
declare const __SHOPSRE_VERSION__: string | undefined;
export const version: string = typeof __SHOPSRE_VERSION__ === 'string' ? __SHOPSRE_VERSION__ : '0.0.0-dev';
