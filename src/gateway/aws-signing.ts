/**
 * Signing Bedrock requests with the gateway's own AWS credentials (Signature Version 4). A
 * caller's signature covers the host it signed for, so it cannot survive the gateway; the
 * gateway drops it and signs again, with credentials from the standard AWS chain
 * (environment, SSO, web identity, shared files, container and instance metadata).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The request headers a caller's own SigV4 signature set; never forwarded. */
export const AWS_SIGNATURE_HEADERS = [
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
];

/** One upstream request to sign: where it goes, and what it carries. */
export type SignableRequest = {
  origin: string;
  /** The path as it goes on the wire (already URL-encoded), with its query. */
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
};

/** Signs a request, returning the headers to send (the signature's headers added). */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

/** A signer for Bedrock Runtime in `region`; credentials are looked up (and cached) on use. */
export function createBedrockSigner(region: string): RequestSigner {
  const signer = new SignatureV4({
    credentials: defaultProvider(),
    region,
    service: 'bedrock',
    sha256: Sha256,
  });
  return async (request) => {
    const url = new URL(request.path, request.origin);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    headers.host = url.host;
    const signed = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      // The path as sent: the signer encodes each segment once more, as AWS expects of
      // every service but S3, and as the SDK itself does.
      path: request.path.split('?', 1)[0] ?? '/',
      query: queryOf(url.searchParams),
      headers,
      body: request.body,
    });
    return signed.headers;
  };
}

function queryOf(parameters: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of parameters) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}
