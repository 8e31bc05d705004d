import type {
  Endpoint,
  FinishReason,
  Message,
  OutputMessage,
  ProviderType,
  RetrievedDocument,
  ToolCall,
  ToolDefinition,
  Usage,
} from '../event/types.js';

/** What a provider API's request body says, read from a parsed copy of the body. */
export type ParsedRequest = {
  model: string | null;
  stream: boolean;
  /** Every top-level field except the content ones (messages, system, tools), verbatim. */
  parameters: Record<string, unknown>;
  system: string | null;
  messages: Message[];
  tools: ToolDefinition[] | null;
  retrieval: RetrievedDocument[] | null;
  previousResponseId: string | null;
  /** The end user as the body names it (OpenAI `user`, Anthropic `metadata.user_id`). */
  userId: string | null;
  /** How many inputs an embeddings request sends (one message each); absent for other APIs. */
  inputCount?: number | null;
  /** The deployment the path names (Azure OpenAI); absent for other APIs. */
  deployment?: string | null;
};

/** What a provider answered, assembled from a whole body or from a stream. */
export type ParsedResponse = {
  id: string | null;
  model: string | null;
  systemFingerprint: string | null;
  output: OutputMessage[];
  toolCalls: ToolCall[];
  finishReasons: string[];
  finishReason: FinishReason | null;
  refusal: string | null;
  usage: Usage;
  /** Documents the provider's own tools retrieved for the answer (web search results). */
  retrieval?: RetrievedDocument[] | null;
  /**
   * The provider's error object when the body or stream carried one (an Anthropic `error`
   * event after a 200, an `{"error": ...}` chunk from an OpenAI-compatible server), else
   * `null`. The parsers always set it; optional only so that other code may omit it.
   */
  error?: unknown;
  /** What an embeddings call returned, never the vectors: how many, and their length. */
  embeddings?: { count: number; dimensions: number | null } | null;
};

/** Reads a stream's bytes as they pass, and assembles the whole answer at the end. */
export type StreamAssembler = {
  /** Feeds the next bytes exactly as the upstream sent them (already decompressed). */
  write(chunk: Uint8Array): void;
  /** Whether any content (text, tool call, reasoning) has been seen; marks first token. */
  readonly sawContent: boolean;
  /**
   * Ends the stream and returns what was assembled. What was seen decides how complete it
   * is: a stream cut before the provider's last event has `partial` or `missing` usage.
   */
  finish(): ParsedResponse;
};

/** The parts of one provider API that the gateway needs. */
export type ProviderApi = {
  endpoint: Endpoint;
  /**
   * Reads the request body (already JSON-parsed) and the provider path it was sent to
   * (Gemini names the model and whether it streams in the path). Never throws on odd shapes.
   */
  parseRequest(body: unknown, path: string): ParsedRequest;
  /** Reads a whole non-streaming response body (already JSON-parsed). */
  parseResponse(body: unknown): ParsedResponse;
  /**
   * Whether a streamed request's answer goes to the stream assembler even when it is not
   * SSE: Gemini streams a JSON array, as `application/json`, unless asked for `alt=sse`.
   */
  streamsJson?: boolean;
  /**
   * The content type of a streamed answer that is not SSE, read by the stream assembler:
   * Bedrock's ConverseStream sends `application/vnd.amazon.eventstream` frames.
   */
  streamContentType?: string;
  /**
   * A response header holding the answer's id where the body has none: Bedrock's
   * `x-amzn-requestid`, the id AWS knows the call by.
   */
  responseIdHeader?: string;
  /** Starts a reader for a streamed response. */
  createStreamAssembler(): StreamAssembler;
};

/** The error body a provider family uses, for errors the gateway itself answers. */
export type ErrorShape = (status: number, code: string, message: string) => unknown;

export type ProviderFamily = {
  types: ProviderType[];
  /** The API for a path (after the provider name), or `null` for a pass-through path. */
  apiFor(method: string, path: string): ProviderApi | null;
  errorBody: ErrorShape;
  /** Headers that go with such an error body (Bedrock names its exception in a header). */
  errorHeaders?: (status: number) => Record<string, string>;
};
