/**
 * Where the REST API lives (kalshi-api.md §0). A base URL is a setting: one of these, or the
 * simulator's `restUrl` (`http://127.0.0.1:PORT/trade-api/v2`). Keys are per environment:
 * demo keys work only on demo hosts, prod keys only on prod.
 */

export const KALSHI_REST_URLS = Object.freeze({
  /** Production, recommended host. */
  prod: 'https://external-api.kalshi.com/trade-api/v2',
  /** Production, also supported. */
  prodShared: 'https://api.elections.kalshi.com/trade-api/v2',
  /** Demo (mock funds), recommended host. */
  demo: 'https://external-api.demo.kalshi.co/trade-api/v2',
  /** Demo, also supported. */
  demoShared: 'https://demo-api.kalshi.co/trade-api/v2',
});

export type KalshiEnvironment = keyof typeof KALSHI_REST_URLS;

/** A base URL split into what the connection pool needs and what every path starts with. */
export interface RestBase {
  /** `https://external-api.kalshi.com` — scheme, host and port: one keep-alive pool per origin. */
  readonly origin: string;
  /** `/trade-api/v2` — prefixed to every request path, and part of what is signed (§1.2). */
  readonly basePath: string;
  readonly protocol: 'http:' | 'https:';
}

/** Parse and check a base URL (an environment name is accepted too). Throws TypeError. */
export function restBase(baseUrl: string): RestBase {
  const text = Object.hasOwn(KALSHI_REST_URLS, baseUrl) ? KALSHI_REST_URLS[baseUrl as KalshiEnvironment] : baseUrl;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`Kalshi REST base URL is not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Kalshi REST base URL must be http or https, got ${url.protocol}`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError('Kalshi REST base URL must not carry a query, a fragment or credentials');
  }
  const basePath = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return { origin: url.origin, basePath, protocol: url.protocol };
}
