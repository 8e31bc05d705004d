/**
 * Where the privacy gate's time goes, per detector, on 1 KB texts of the PII evaluation set:
 * `node --import tsx bench/privacy-profile.ts`. Prints milliseconds per KB for each detector,
 * for the whole scan, and for the gate around it (content walk, cache keys, masking).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { findAddresses } from '../src/privacy/detectors/address.js';
import { findAges, findDatesOfBirth } from '../src/privacy/detectors/dates.js';
import {
  findBankNumbers,
  findCards,
  findIbans,
  findSsns,
} from '../src/privacy/detectors/financial.js';
import { findContextIdentifiers, findDeaNumbers } from '../src/privacy/detectors/identifiers.js';
import {
  findEmails,
  findIpAddresses,
  findMacAddresses,
  findUrls,
} from '../src/privacy/detectors/network.js';
import { findPeople } from '../src/privacy/detectors/person.js';
import { findPhones } from '../src/privacy/detectors/phone.js';
import { findSecrets } from '../src/privacy/detectors/secrets.js';
import { ephemeralSettings, protectContent } from '../src/privacy/protect.js';
import { prepareDetectors, scan } from '../src/privacy/scan.js';
import type { Detector } from '../src/privacy/types.js';
import { splitContent } from '../src/event/content.js';
import { makeEvent } from '../test/helpers/events.js';

const DATASET = new URL('../test/fixtures/pii/synth_dataset_v2.json', import.meta.url);
const REGIONS = ['US', 'GB'];
const DETECTORS: [string, Detector][] = [
  ['secrets', findSecrets],
  ['emails', findEmails],
  ['urls', findUrls],
  ['ip', findIpAddresses],
  ['mac', findMacAddresses],
  ['iban', findIbans],
  ['cards', findCards],
  ['ssn', findSsns],
  ['bank', findBankNumbers],
  ['dea', findDeaNumbers],
  ['context identifiers', findContextIdentifiers],
  ['phones', findPhones],
  ['dates of birth', findDatesOfBirth],
  ['ages', findAges],
  ['addresses', findAddresses],
  ['people', findPeople],
];

const samples = (JSON.parse(readFileSync(DATASET, 'utf8')) as { full_text: string }[]).map(
  (sample) => sample.full_text,
);
const texts: string[] = [];
for (let index = 0; texts.length < 2000;) {
  // Numbered, so that no two texts are the same and the gate's cache never answers.
  let text = `text ${texts.length}:`;
  while (text.length < 1024) text += ` ${samples[index++ % samples.length] as string}`;
  texts.push(text);
}
const kilobytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1024;
prepareDetectors();
// One pass first, so that every detector runs compiled when timed.
for (const text of texts.slice(0, 300)) scan(text, { regions: REGIONS });

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

console.log(
  `load average ${(loadavg()[0] ?? 0).toFixed(1)}; ${texts.length} texts, ${kilobytes.toFixed(0)} KB`,
);
let detectorsMs = 0;
for (const [name, detector] of DETECTORS) {
  const ms = timed(() => {
    for (const text of texts) detector({ text, regions: REGIONS });
  });
  detectorsMs += ms;
  console.log(`${name.padEnd(20)} ${(ms / kilobytes).toFixed(3)} ms/KB`);
}
console.log(`${'sum of detectors'.padEnd(20)} ${(detectorsMs / kilobytes).toFixed(3)} ms/KB`);
const scanMs = timed(() => {
  for (const text of texts) scan(text, { regions: REGIONS });
});
console.log(`${'scan (with settle)'.padEnd(20)} ${(scanMs / kilobytes).toFixed(3)} ms/KB`);

// The gate on events holding these texts: new settings each run, so nothing comes from cache.
const events = texts.map((text) =>
  makeEvent({
    request: { messages: [{ role: 'user', parts: [{ type: 'text', content: text }] }] },
  }),
);
const nothing = { ...ephemeralSettings(), scan: { types: [] } };
const gateOnlyMs = timed(() => {
  for (const event of events) protectContent(splitContent(event).content, nothing);
});
const gateMs = timed(() => {
  const settings = ephemeralSettings();
  for (const event of events) protectContent(splitContent(event).content, settings);
});
console.log(
  `${'gate, no detection'.padEnd(20)} ${(gateOnlyMs / events.length).toFixed(3)} ms/event`,
);
console.log(`${'gate, every detector'.padEnd(20)} ${(gateMs / events.length).toFixed(3)} ms/event`);
