import type { Gateway } from '../gateway/start.js';

type Sample = { name: string; path: string; headers: Record<string, string>; body: unknown };

/** The provider a sample's path names (its first segment; `/v1` is OpenAI's alias). */
function providerOf(sample: Sample): string {
  const name = sample.path.split('/')[1] ?? '';
  return name === 'v1' ? 'openai' : name;
}

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'current weather for a location',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
    },
  },
};

const OPENAI = { authorization: 'Bearer sk-demo-not-a-real-key' };
const ANTHROPIC = { 'x-api-key': 'sk-ant-demo-not-a-real-key', 'anthropic-version': '2023-06-01' };
const DEMO_HEADERS = {
  'x-auditgate-user': 'demo-user',
  'x-auditgate-app': 'demo',
  'x-auditgate-team': 'demo-team',
};

const SAMPLES: Sample[] = [
  {
    name: 'OpenAI chat',
    path: '/openai/v1/chat/completions',
    headers: OPENAI,
    body: {
      model: 'gpt-4.1-nano',
      messages: [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }],
    },
  },
  {
    name: 'OpenAI chat, streamed',
    path: '/v1/chat/completions',
    headers: OPENAI,
    body: {
      model: 'gpt-4.1-nano',
      stream: true,
      messages: [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }],
    },
  },
  {
    name: 'OpenAI chat, a tool call',
    path: '/openai/v1/chat/completions',
    headers: OPENAI,
    body: {
      model: 'deepseek-reasoner',
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
    },
  },
  {
    name: 'Anthropic message, streamed',
    path: '/anthropic/v1/messages',
    headers: ANTHROPIC,
    body: {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      messages: [{ role: 'user', content: 'Hello, how are you?' }],
    },
  },
  {
    name: 'OpenAI Responses',
    path: '/openai/v1/responses',
    headers: OPENAI,
    body: { model: 'gpt-5-mini', instructions: 'Be brief.', input: 'What is 925 divided by 5?' },
  },
  {
    name: 'OpenAI embeddings',
    path: '/openai/v1/embeddings',
    headers: OPENAI,
    body: { model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day'] },
  },
  {
    name: 'Gemini, streamed',
    path: '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    headers: { 'x-goog-api-key': 'AIza-demo-not-a-real-key' },
    body: { contents: [{ role: 'user', parts: [{ text: 'How many r are in strawberry?' }] }] },
  },
  {
    name: 'Azure OpenAI chat, streamed',
    path: '/azure/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-10-21',
    headers: { 'api-key': 'azure-demo-not-a-real-key' },
    body: {
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'What is the capital of Denmark?' }],
    },
  },
  {
    // A real Bedrock client signs with its AWS credentials; the gateway drops that signature
    // and signs with its own, so this sample needs none.
    name: 'Bedrock Converse, streamed',
    path: '/bedrock/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream',
    headers: {},
    body: { messages: [{ role: 'user', content: [{ text: 'How many r in strawberry?' }] }] },
  },
];

/** Sends sample calls through a gateway started with the simulator; says how to read them. */
export async function runDemo(gateway: Gateway): Promise<void> {
  console.log('sending sample calls through the gateway:');
  for (const sample of SAMPLES) {
    if (!gateway.context.providers.has(providerOf(sample))) continue;
    const response = await fetch(gateway.url + sample.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...DEMO_HEADERS, ...sample.headers },
      body: JSON.stringify(sample.body),
    });
    await response.arrayBuffer();
    const eventId = response.headers.get('x-auditgate-event-id');
    console.log(`  ${sample.name.padEnd(30)} ${response.status}  event ${eventId}`);
  }
  await gateway.flush();

  console.log('\nread them back:');
  console.log(
    `  curl -s -H "authorization: Bearer ${gateway.adminToken}" ${gateway.url}/api/v1/events`,
  );
  console.log(`  AUDITGATE_ADMIN_TOKEN=${gateway.adminToken} ./bin/auditgate.js events`);
  console.log(
    `  AUDITGATE_ADMIN_TOKEN=${gateway.adminToken} ./bin/auditgate.js spend ` +
      '--group-by team,model --since 24h',
  );
  console.log('\npress Ctrl-C to stop');
}
