/**
 * The audit event: what auditgate records for every call and every agent step.
 * Field names and meanings are the public interface that users script against; token
 * meanings follow the OpenTelemetry GenAI conventions (input includes cached tokens,
 * output includes reasoning tokens). A field with nothing to say is `null`.
 */

export const SCHEMA_VERSION = 1;

/** Every kind of event. */
export const EVENT_KINDS = [
  'llm.call',
  'http.call',
  'tool.call',
  'agent.spawn',
  'memory.read',
  'memory.write',
  'state.change',
  'decision',
  'human.review',
  'retrieval',
  'span',
  'policy.violation',
  'policy.override',
  'policy.escalation',
  'budget.alert',
  'access',
  'erasure',
  'retention',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export type ProviderType =
  'openai' | 'openai-compatible' | 'anthropic' | 'gemini' | 'azure' | 'bedrock';

export type Endpoint =
  | 'chat.completions'
  | 'responses'
  | 'embeddings'
  | 'messages'
  | 'generate_content'
  | 'converse'
  | 'other';

/** One part of a message, in the GenAI input/output-messages shape. */
export type MessagePart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id: string | null; name: string; arguments: unknown }
  | {
      type: 'tool_call_response';
      id: string | null;
      response: unknown;
      /** The tool's name, where the provider links a result by name, not id (Gemini). */
      name?: string;
    }
  | { type: 'blob'; mimeType: string | null; modality: string | null; content: string }
  | { type: 'file'; mimeType: string | null; fileId: string | null; name: string | null }
  | { type: 'uri'; mimeType: string | null; modality: string | null; uri: string };

export type Message = { role: string; name?: string; parts: MessagePart[] };

export type OutputMessage = Message & { finishReason: string | null };

export type ToolCall = { id: string | null; name: string; arguments: unknown };

export type ToolDefinition = {
  type: string;
  name: string | null;
  description: string | null;
  parameters: unknown;
};

export type RetrievedDocument = {
  id: string | null;
  source: string | null;
  text: string | null;
  sha256: string | null;
  score: number | null;
};

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_call' | 'error' | 'other';

export type UsageSource = 'provider' | 'estimated' | 'partial' | 'missing';

export type Usage = {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  source: UsageSource;
  /** The provider's own usage object, as it sent it. */
  raw: unknown;
};

/** Every outcome status. */
export const OUTCOME_STATUSES = [
  'ok',
  'upstream_error',
  'rejected',
  'blocked',
  'held',
  'client_aborted',
  'upstream_unreachable',
  'timeout',
  'interrupted',
] as const;

export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

export type AuthMethod = 'virtual_key' | 'jwt' | 'provider_key' | 'none';

export type ActorType = 'human' | 'agent' | 'service';

export type TraceContext = {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
};

export type Identity = {
  userId: string | null;
  sessionId: string | null;
  agentId: string | null;
  appId: string | null;
  teamId: string | null;
  actorType: ActorType | null;
  authMethod: AuthMethod;
  /** Names of the fields the gateway verified; every other field was only asserted. */
  verified: string[];
  /** What headers claimed where it differs from what was verified. */
  asserted: Record<string, string> | null;
  keyId: string | null;
  keyFingerprint: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  /**
   * The verified token's claims the gateway reads (issuer, subject, audience, expiry and the
   * mapped ones); present only when `authMethod` is `jwt`.
   */
  claims?: Record<string, unknown>;
};

export type Rewrite = { path: string; reason: string; from: unknown; to: unknown };

export type RequestRecord = {
  provider: string;
  providerType: ProviderType | null;
  endpoint: Endpoint;
  method: string;
  path: string;
  model: string | null;
  parameters: Record<string, unknown> | null;
  stream: boolean;
  system: string | null;
  messages: Message[] | null;
  tools: ToolDefinition[] | null;
  retrieval: RetrievedDocument[] | null;
  previousResponseId: string | null;
  /** The deployment the path names (Azure OpenAI); `null` for other providers. */
  deployment: string | null;
  /** How many inputs an embeddings request sends; `null` for other endpoints. */
  inputCount: number | null;
  bodySha256: string | null;
  bodyBytes: number;
  truncated: boolean;
  rewrites: Rewrite[];
};

export type ResponseRecord = {
  id: string | null;
  model: string | null;
  systemFingerprint: string | null;
  output: OutputMessage[] | null;
  toolCalls: ToolCall[] | null;
  finishReasons: string[] | null;
  finishReason: FinishReason | null;
  refusal: string | null;
  httpStatus: number | null;
  error: unknown;
  bodySha256: string | null;
  bodyBytes: number;
  truncated: boolean;
  simulated: boolean;
  /** What an embeddings call returned (never the vectors); `null` for other endpoints. */
  embeddings: { count: number; dimensions: number | null } | null;
};

export type Attribution = {
  teamId: string | null;
  businessUnit: string | null;
  project: string | null;
  appId: string | null;
  agentId: string | null;
  userId: string | null;
  tags: Record<string, string>;
};

export type Timing = {
  receivedAt: string;
  ttftMs: number | null;
  latencyMs: number | null;
  upstreamMs: number | null;
  overheadMs: number | null;
};

export type Outcome = { status: OutcomeStatus; error: string | null };

/** One try of a call upstream (a retry or a route's fallback is one more). */
export type Attempt = {
  number: number;
  provider: string;
  model: string | null;
  httpStatus: number | null;
  error: string | null;
  latencyMs: number | null;
  /**
   * Why the gateway moved on after this attempt: `retry` (the same target again) or
   * `fallback` (the route's next target); `null` when this attempt ended the call.
   */
  next: 'retry' | 'fallback' | null;
};

export type CostSource = 'computed' | 'estimated' | 'unknown';

/** US dollars per token class; a class the call did not use is 0, one without a price `null`. */
export type CostBreakdown = {
  input: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  output: number | null;
  reasoning: number | null;
  fees: number | null;
};

/** What a call cost, from the price list; `amountUsd` is `null` (never 0) when unknown. */
export type Cost = {
  amountUsd: number | null;
  breakdown: CostBreakdown | null;
  priceVersion: string | null;
  source: CostSource;
};

/** What a policy decision found: a type and how often, never the offending values. */
export type PolicyFinding = { type: string; count: number };

/** A rule of `policies:` that fired on a call, as the call and its violation event list it. */
export type RuleDecision = {
  ruleId: string;
  /** The first 12 hex digits of the SHA-256 of the rule set the call was judged by. */
  policyVersion: string;
  category: 'model_allowlist' | 'max_tokens';
  action: 'flag' | 'block';
  severity: 'low' | 'medium' | 'high' | 'critical';
  findings: PolicyFinding[];
  /** On a `policy.violation` event: the call the rule fired on. */
  subjectEventId?: string;
};

/** The flag on a call whose cost is unknown: no price for its model, or no usage reported. */
export type CostFlag = {
  ruleId: 'cost.price_unknown' | 'cost.usage_missing';
  policyVersion: null;
  category: 'cost';
  action: 'flag';
  severity: 'low';
  /** One finding, `price_unknown` or `usage_missing`. */
  findings: PolicyFinding[];
  /** The model the price was looked up by (the answering model, else the one asked for). */
  model: string | null;
};

/** A budget's decision: a refused call (`block`), or a `budget.alert` event (`alert`). */
export type BudgetDecision = {
  /** `budget.<name>`. */
  ruleId: string;
  policyVersion: null;
  category: 'budget';
  action: 'block' | 'alert';
  severity: 'high' | 'medium';
  /** One finding, `budget_exceeded` or `budget_alert`. */
  findings: PolicyFinding[];
  /** The budget's name, scope, value, period and what it had spent, held and allowed. */
  budget: { name: string } & Record<string, unknown>;
};

/** One entry of an event's `policy` list. */
export type PolicyEntry = RuleDecision | CostFlag | BudgetDecision;

/** How the privacy gate treats one type of finding before storage (`privacy.strategies`). */
export type PrivacyStrategy = 'keep' | 'redact' | 'pseudonymise' | 'partial' | 'encrypt';

/** What the privacy gate did to an event's content: types and counts, never the values. */
export type PrivacyRecord = {
  detectorsVersion: string;
  findings: { type: string; count: number; strategy: PrivacyStrategy }[];
  /** Detection failed, so every string of the content was stored as `[REDACTED]`. */
  failed: boolean;
};

/** An event's place in its gateway instance's Merkle log. */
export type LedgerPosition = {
  logId: string;
  /** The leaf's zero-based index in the log. */
  index: number;
  /** Hex SHA-256 of 0x00 || leaf (RFC 6962 section 2.1). */
  leafHash: string;
};

/**
 * What an `erasure` event did: the subject whose content it deleted and which events' content
 * that was, or, when legal holds refused it, which holds (and then nothing was deleted).
 */
export type ErasureRecord = {
  /** `user:ID`. */
  subject: string;
  reason: string;
  /** Events whose content and salt were deleted; empty when refused. */
  eventIds: string[];
  /** Holds that refused the erasure; empty when it went ahead. */
  refusedBy: string[];
  /** Who asked, by the API token they sent; absent on events written before it was kept. */
  requestedBy?: ErasureRequester;
};

/** Who asked for an erasure: a person's API token, a JWT's user, or the admin token. */
export type ErasureRequester = {
  /** The API token's id; `null` for the admin token and a JWT. */
  tokenId: string | null;
  /** The token's name, the JWT's user, or `admin` for the admin token. */
  name: string;
  /** The role the token carried: `admin`, `auditor`, `viewer`. */
  role: string;
};

/** What an `access` event records: who read what, and how much; never the values read. */
export type AccessRecord = {
  /** `privacy.recover`: encrypted values of an event decrypted for a reader. */
  action: 'privacy.recover';
  /** The event whose content was read. */
  eventId: string;
  /** Who asked: the API token's name, role and id (`null` for the admin token and JWTs). */
  principal: { name: string; role: string; tokenId: string | null };
  /** Values decrypted, and values found encrypted that would not decrypt. */
  decrypted: number;
  undecryptable: number;
};

export type AuditEvent = {
  id: string;
  kind: EventKind;
  time: string;
  schemaVersion: number;
  trace: TraceContext;
  identity: Identity;
  request: RequestRecord | null;
  response: ResponseRecord | null;
  usage: Usage | null;
  /** `null` for events that cost nothing by nature (API reads, agent steps). */
  cost: Cost | null;
  attribution: Attribution;
  /** Rules that fired, cost flags and budget decisions. */
  policy: PolicyEntry[];
  /** What the privacy gate found and did before storage; `null` until the event is stored. */
  privacy: PrivacyRecord | null;
  attempts: Attempt[];
  timing: Timing;
  outcome: Outcome;
  /** The event's place in the ledger; `null` until the store has appended it. */
  ledger: LedgerPosition | null;
  /** What an `erasure` event erased or was refused; absent on other kinds. */
  erasure?: ErasureRecord;
  /** What an `access` event read, and for whom; absent on other kinds. */
  access?: AccessRecord;
};
