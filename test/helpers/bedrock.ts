import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';

/** The caller's own AWS credentials: the gateway never uses them upstream. */
export const CALLER_CREDENTIALS = {
  accessKeyId: 'AKIDCALLEREXAMPLE',
  secretAccessKey: 'caller-secret-access-key',
  sessionToken: 'caller-session-token',
};

/** A Bedrock client pointed at a gateway's provider route, reporting each event id it got. */
export type GatewayBedrockClient = {
  client: BedrockRuntimeClient;
  /** The `x-auditgate-event-id` of the last response (errors included). */
  lastEventId(): string | null;
};

/**
 * A Bedrock Runtime client whose endpoint is `{gatewayUrl}/{provider}`, that adds `headers`
 * to each request (attribution, `x-auditgate-simulate`) and does not retry on its own. It
 * speaks HTTP/2, the SDK's default for Bedrock Runtime, unless `config` gives another handler.
 */
export function bedrockClient(
  endpoint: string,
  headers: Record<string, string> = {},
  config: Partial<BedrockRuntimeClientConfig> = {},
): GatewayBedrockClient {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: CALLER_CREDENTIALS,
    maxAttempts: 1,
    ...config,
  });
  let eventId: string | null = null;
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      Object.assign(request.headers, headers);
      return next(args);
    },
    { step: 'build', name: 'auditgateHeaders' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { headers?: Record<string, string> };
      eventId = response.headers?.['x-auditgate-event-id'] ?? null;
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'auditgateEventId' },
  );
  return { client, lastEventId: () => eventId };
}
