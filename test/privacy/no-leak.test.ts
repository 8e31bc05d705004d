import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { pino } from 'pino';
import type { AuditEvent } from '../../src/event/types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  providersAt,
  sseFrame,
  startUpstream,
  writeConfig,
  type ConfigFile,
  type TestUpstream,
} from '../helpers/upstream.js';

/** The cases: none of these may reach the data folder, a log line or an error message. */
const RAW_VALUES = [
  'SOPHY SANTINO',
  'Sophy Santino',
  'Chris Singh',
  'chrissingh@msn.com',
  '6011577631711174',
  '6011-5776-3171-1174',
  '6011 5776 3171 1174',
  '2221000000000009',
  '01 42 68 53 00',
  'gb82west12345698765432',
  '07700 900009',
  'Alice',
];

function chunk(content: string, finish: string | null = null): string {
  return sseFrame(
    JSON.stringify({
      id: 'chatcmpl-leak',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta: finish ? {} : { content }, finish_reason: finish }],
    }),
  );
}

/** A provider that repeats the cases back: in a completion, across stream deltas, in an error. */
async function leakyUpstream(): Promise<TestUpstream> {
  return startUpstream((request, response) => {
    const body = JSON.parse(request.body) as { stream?: boolean; messages?: unknown[] };
    if (request.url === '/v1/responses') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'resp_leak',
          object: 'response',
          created_at: 1,
          status: 'completed',
          model: 'gpt-4o-mini',
          output: [
            {
              type: 'message',
              id: 'msg_leak',
              status: 'completed',
              role: 'assistant',
              content: [
                {
                  type: 'output_text',
                  text: 'Hello Alice, I will ring 07700 900009.',
                  annotations: [],
                },
              ],
            },
          ],
          usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14 },
        }),
      );
    } else if (JSON.stringify(body.messages).includes('refuse me')) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            message: 'no mailbox chrissingh@msn.com for Chris Singh',
            type: 'invalid_request_error',
            code: 'bad_recipient',
          },
        }),
      );
    } else if (body.stream) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // The name and the card are each split across two deltas.
      for (const piece of ['On file: So', 'phy Santino, card 6011 5776', ' 3171 1174.']) {
        response.write(chunk(piece));
      }
      response.end(`${chunk('', 'stop')}data: [DONE]\n\n`);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-leak',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: 'Noted: Chris Singh - chrissingh@msn.com, tel 01 42 68 53 00',
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: { name: 'charge', arguments: '{"card": "2221000000000009"}' },
                  },
                ],
              },
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
        }),
      );
    }
  });
}

/** Every file under `folder`, the SQLite database, its WAL and shared memory included. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function leaks(haystack: Buffer | string, where: string): string[] {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  return RAW_VALUES.filter((value) => text.includes(value)).map((value) => `${value} in ${where}`);
}

describe('no raw PII from the issue’s cases reaches the data folder or the logs', () => {
  let upstream: TestUpstream;
  let config: ConfigFile;
  let gateway: TestGateway;
  let client: OpenAI;
  let logOutput = '';
  const dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-leak-'));
  const events: AuditEvent[] = [];
  const errors: string[] = [];

  before(async () => {
    upstream = await leakyUpstream();
    config = writeConfig({
      providers: providersAt(upstream.url),
      privacy: { regions: ['US', 'GB', 'FR'] },
    });
    const logStream = new Writable({
      write(data: Buffer, _encoding, done) {
        logOutput += data.toString();
        done();
      },
    });
    gateway = await startTestGateway({
      configFile: config.path,
      simulate: false,
      dataFolder,
      logger: pino({ level: 'trace' }, logStream),
    });
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${gateway.url}/v1`, maxRetries: 0 });

    const plain = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        // Free-text parameters are content too; `user` is not used here, since it becomes the
        // event's identity.userId, which the audit trail keeps as the caller sent it.
        metadata: { customer: 'chrissingh@msn.com' },
        messages: [
          {
            role: 'system',
            content: 'The customer is SOPHY SANTINO; IBAN gb82west12345698765432.',
          },
          { role: 'user', content: 'Charge 6011577631711174, or else 6011-5776-3171-1174.' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_0',
                type: 'function',
                function: { name: 'lookup', arguments: '{"phone": "01 42 68 53 00"}' },
              },
            ],
          },
          {
            role: 'tool',
            tool_call_id: 'call_0',
            content: 'Owner: Chris Singh - chrissingh@msn.com',
          },
        ],
      })
      .withResponse()
      .then(({ response }) => response.headers.get('x-auditgate-event-id'));

    const streamed = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'who?' }] })
      .withResponse();
    let streamedText = '';
    for await (const part of streamed.data) streamedText += part.choices[0]?.delta.content ?? '';
    // The client gets the stream unchanged: masking happens only in what is stored.
    assert.equal(streamedText, 'On file: Sophy Santino, card 6011 5776 3171 1174.');

    const responses = await client.responses
      .create({
        model: 'gpt-4o-mini',
        instructions: 'Address the user as Alice.',
        input: 'Alice and Bob and Alice. Call me on 07700 900009.',
      })
      .withResponse();

    try {
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'refuse me, Sophy Santino' }],
      });
    } catch (error) {
      errors.push(String(error));
    }

    for (const id of [
      plain,
      streamed.response.headers.get('x-auditgate-event-id'),
      responses.response.headers.get('x-auditgate-event-id'),
    ]) {
      events.push(await gateway.event(id));
    }
    await gateway.flush();
  });

  after(async () => {
    await upstream.close();
    await gateway.stop();
    config.remove();
    if (!process.env.KEEP_LEAK_FOLDER) rmSync(dataFolder, { recursive: true, force: true });
  });

  it('masks the cases in what the store holds, a stream’s split values included', () => {
    const [plain, streamed, responses] = events;
    const stored = JSON.stringify(plain);
    assert.match(stored, /The customer is \[PERSON_[0-9a-f]{10}\]; IBAN \[IBAN\]\./);
    assert.match(stored, /Charge \[CREDIT_CARD\], or else \[CREDIT_CARD\]\./);
    assert.match(stored, /"card":"\[CREDIT_CARD\]"/);
    assert.deepEqual(plain?.request?.parameters?.metadata, { customer: '[EMAIL]' });
    const output = streamed?.response?.output?.[0]?.parts[0];
    assert.match(
      output?.type === 'text' ? output.content : '',
      /^On file: \[PERSON_[0-9a-f]{10}\], card \[CREDIT_CARD\]\.$/,
    );
    assert.deepEqual(streamed?.privacy?.findings, [
      { type: 'credit_card', count: 1, strategy: 'redact' },
      { type: 'person', count: 1, strategy: 'pseudonymise' },
    ]);
    // Every Alice of the trace, in the instructions, the input and the answer, is one token.
    const tokens = JSON.stringify(responses).match(/\[PERSON_[0-9a-f]{10}\]/g) ?? [];
    const alice = /as (\[PERSON_[0-9a-f]{10}\])/.exec(responses?.request?.system ?? '')?.[1];
    assert.ok(alice);
    assert.equal(tokens.filter((token) => token === alice).length, 4);
  });

  it('leaves no raw value in any file of the data folder, including the WAL', () => {
    const found = filesUnder(dataFolder).flatMap((file) => leaks(readFileSync(file), file));
    assert.ok(
      filesUnder(dataFolder).some((file) => file.endsWith('-wal')),
      'a WAL file to read',
    );
    assert.deepEqual(found, []);
  });

  it('leaves no raw value in the log output or the gateway’s own error messages', () => {
    assert.ok(logOutput.includes('call recorded'), 'the trace-level log was captured');
    assert.deepEqual(leaks(logOutput, 'the log'), []);
    // The client sees the provider's own error unchanged: masking never alters what it receives.
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /no mailbox chrissingh@msn\.com/);
  });
});

describe('no raw PII reaches the data folder through the Anthropic and Gemini SDKs', () => {
  const dataFolder = mkdtempSync(join(tmpdir(), 'auditgate-leak-'));
  let gateway: TestGateway;
  const stored: AuditEvent[] = [];

  before(async () => {
    gateway = await startTestGateway({
      dataFolder,
      environment: { AUDITGATE_PRIVACY__REGIONS: '[US, GB, FR]' },
    });
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: 'sk-ant-x' });
    const message = await anthropic.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        system: [{ type: 'text', text: 'The caller is SOPHY SANTINO, tel 01 42 68 53 00.' }],
        messages: [
          { role: 'user', content: 'Refund card 6011577631711174 for Chris Singh.' },
          {
            role: 'assistant',
            content: [
              {
                type: 'tool_use',
                id: 'toolu_1',
                name: 'refund',
                input: { card: '6011-5776-3171-1174' },
              },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Mailed chrissingh@msn.com' },
            ],
          },
        ],
      })
      .withResponse();
    stored.push(await gateway.event(message.response.headers.get('x-auditgate-event-id')));

    const gemini = new GoogleGenAI({
      apiKey: 'gemini-test-key',
      httpOptions: { baseUrl: `${gateway.url}/gemini` },
    });
    const answer = await gemini.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'IBAN gb82west12345698765432, ring 07700 900009' }] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { who: 'Alice' } } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'lookup', response: { card: '2221000000000009' } } }],
        },
      ],
      config: { systemInstruction: 'Address the user as Alice.' },
    });
    stored.push(
      await gateway.event(answer.sdkHttpResponse?.headers?.['x-auditgate-event-id'] ?? null),
    );
    await gateway.flush();
  });

  after(async () => {
    await gateway.stop();
    rmSync(dataFolder, { recursive: true, force: true });
  });

  it('masks system prompts, tool inputs and results of both', () => {
    const [claude, gemini] = stored;
    assert.match(
      claude?.request?.system ?? '',
      /^The caller is \[PERSON_[0-9a-f]{10}\], tel \[PHONE\]\.$/,
    );
    assert.match(JSON.stringify(claude?.request?.messages), /"card":"\[CREDIT_CARD\]"/);
    assert.match(JSON.stringify(claude?.request?.messages), /Mailed \[EMAIL\]/);
    assert.match(JSON.stringify(gemini?.request?.messages), /IBAN \[IBAN\], ring \[PHONE\]/);
    assert.match(JSON.stringify(gemini?.request?.messages), /"card":"\[CREDIT_CARD\]"/);
  });

  it('leaves no raw value in any file of the data folder', () => {
    const found = filesUnder(dataFolder).flatMap((file) => leaks(readFileSync(file), file));
    assert.deepEqual(found, []);
  });
});
