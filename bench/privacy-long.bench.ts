/**
 * `npm run bench:privacy-long`: the privacy gate on one long prompt full of PII (a name, an
 * e-mail and a card number per record), at 2,000 and 20,000 records. Masking must stay about
 * linear in the text: each finding once, never a copy of the whole text per finding.
 */
import { configSchema } from '../src/config/schema.js';
import { maskText } from '../src/privacy/protect.js';
import { prepareDetectors } from '../src/privacy/scan.js';
import { protectionSettings } from '../src/privacy/settings.js';

prepareDetectors();
const settings = protectionSettings(configSchema.parse({}), Buffer.alloc(32, 1), 'b'.repeat(32));
for (const records of [2000, 20000]) {
  const text = Array.from(
    { length: records },
    (_, index) => `Anna Meier a${index}@example.com 4111111111111111`,
  ).join(' ');
  const started = performance.now();
  maskText(text, settings);
  const milliseconds = performance.now() - started;
  const kilobytes = (text.length / 1024).toFixed(0);
  console.log(`${records} records, ${kilobytes} KB: masked in ${milliseconds.toFixed(0)} ms`);
}
