import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scan } from '../../src/privacy/scan.js';

/** The findings as [type, the text they cover], which is what a reader checks. */
function found(text: string, options: Parameters<typeof scan>[1] = {}): [string, string][] {
  return scan(text, options).map((finding) => [
    finding.type,
    text.slice(finding.start, finding.end),
  ]);
}

describe('cases from other tools’ bug trackers', () => {
  it('a UUID is not a phone number', () => {
    assert.deepEqual(found('request 110bcd25-a55d-453a-8046-1297901ea002 failed'), []);
  });

  it('numbers and a letter question contain no person', () => {
    for (const text of ['1607635102.00 -0.96', '6033391', 'what is letter 96c']) {
      assert.deepEqual(found(text), [], text);
    }
  });

  it('SOPHY SANTINO is one person in upper, lower and title case', () => {
    for (const name of ['SOPHY SANTINO', 'sophy santino', 'Sophy Santino']) {
      assert.deepEqual(found(name), [['person', name]], name);
      assert.deepEqual(found(`my name is ${name}`), [['person', name]], name);
    }
  });

  it('words, short codes, base64 are not licences; "lic" in "public" is no cue', () => {
    assert.deepEqual(found("driver's license INTRODUCTORY"), []);
    assert.deepEqual(found('licence categories A1, H1, D3'), []);
    assert.deepEqual(found('license: dGhpcyBpcyBhIGJhc2U2NCBoYXNoIHN0cmluZw=='), []);
    assert.deepEqual(found('the public A1234567'), []);
    // The same value after a real cue is one, so the cases above are not empty by accident.
    assert.deepEqual(found('lic A1234567'), [['drivers_license', 'A1234567']]);
  });

  it('a card number in one run or in groups is one card', () => {
    assert.deepEqual(found('6011577631711174'), [['credit_card', '6011577631711174']]);
    assert.deepEqual(found('6011-5776-3171-1174'), [['credit_card', '6011-5776-3171-1174']]);
    assert.deepEqual(found('2221000000000009'), [['credit_card', '2221000000000009']]);
  });

  it('a name before an e-mail address is a person and a separate e-mail', () => {
    const text = 'Chris Singh - chrissingh@msn.com';
    assert.deepEqual(scan(text), [
      { type: 'person', start: 0, end: 11, score: 0.9, detector: 'person' },
      { type: 'email', start: 14, end: 32, score: 0.99, detector: 'email' },
    ]);
  });

  it('three e-mail addresses separated by spaces are three findings', () => {
    assert.deepEqual(found('ann@example.com bo@example.org cy@example.net'), [
      ['email', 'ann@example.com'],
      ['email', 'bo@example.org'],
      ['email', 'cy@example.net'],
    ]);
  });

  it('a French number is a phone when France is a configured region', () => {
    const [finding] = scan('01 42 68 53 00', { regions: ['FR'] });
    assert.equal(finding?.type, 'phone');
    assert.equal(finding?.end, 14);
    assert.ok((finding?.score ?? 0) >= 0.9, 'validated for France');
    assert.ok((scan('01 42 68 53 00', { regions: ['US'] })[0]?.score ?? 1) < 0.9);
  });

  it('overlapping digit runs come back as findings that never overlap', () => {
    const text = 'card 4111 1111 1111 1111 1234 5678, call 020 7946 0958 1234';
    const findings = scan(text);
    for (let index = 1; index < findings.length; index += 1) {
      assert.ok((findings[index - 1]?.end ?? 0) <= (findings[index]?.start ?? 0));
    }
    assert.deepEqual(found(text)[0], ['credit_card', '4111 1111 1111 1111']);
  });

  it('ids, timestamps, versions, commit hashes and placeholders are not flagged', () => {
    for (const text of [
      '{"product_id": 3074185296}',
      'created at 1607635102',
      'version 1.2.3.4',
      'commit 4f3c2a1b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a',
      'api_key = "YOUR_API_KEY_HERE"',
    ]) {
      assert.deepEqual(found(text), [], text);
    }
  });

  it('a lower-case IBAN is found', () => {
    assert.deepEqual(found('pay to gb82 west 1234 5698 7654 32 please'), [
      ['iban', 'gb82 west 1234 5698 7654 32'],
    ]);
  });

  it('a UK phone number whose digits pass Luhn is a phone, not a card', () => {
    // 07700900009 and 02079460008 both pass the Luhn check (worked by hand).
    assert.deepEqual(found('call 07700 900009'), [['phone', '07700 900009']]);
    assert.deepEqual(found('call +44 20 7946 0008'), [['phone', '+44 20 7946 0008']]);
  });
});

describe('the other types', () => {
  it('finds checked identifiers and leaves ones that fail their check', () => {
    assert.deepEqual(found('SSN 078-05-1120'), [['ssn', '078-05-1120']]);
    assert.deepEqual(found('SSN 666-05-1120'), []);
    assert.deepEqual(found('ITIN 912-70-1234'), [['itin', '912-70-1234']]);
    assert.deepEqual(found('routing number 021000021'), [['routing_number', '021000021']]);
    assert.deepEqual(found('routing number 021000022'), []);
    assert.deepEqual(found('NPI 1234567893'), [['npi', '1234567893']]);
    assert.deepEqual(found('DEA number AB1234563'), [['dea', 'AB1234563']]);
    assert.deepEqual(found('DEA number AB1234564'), []);
    assert.deepEqual(found('IBAN GB82 WEST 1234 5698 7654 33', { types: ['iban'] }), []);
  });

  it('finds network identifiers', () => {
    assert.deepEqual(found('from 192.168.10.42 and fe80::1ff:fe23:4567:890a'), [
      ['ip', '192.168.10.42'],
      ['ip', 'fe80::1ff:fe23:4567:890a'],
    ]);
    assert.deepEqual(found('nic 00:1A:2B:3C:4D:5E'), [['mac', '00:1A:2B:3C:4D:5E']]);
    assert.deepEqual(found('see https://example.com/a?b=c.'), [
      ['url', 'https://example.com/a?b=c'],
    ]);
  });

  it('finds health and identity numbers by their context words', () => {
    assert.deepEqual(found('MRN: 00123456'), [['medical_record', '00123456']]);
    assert.deepEqual(found('member id XJH123456789'), [['health_plan_id', 'XJH123456789']]);
    assert.deepEqual(found('passport number 533380006'), [['passport', '533380006']]);
    assert.deepEqual(found('IMEI 490154203237518'), [['device_id', '490154203237518']]);
    assert.deepEqual(found('born on 03/14/1952'), [['date_of_birth', '03/14/1952']]);
    assert.deepEqual(found('she is 93 years old'), [['age', '93']]);
    assert.deepEqual(found('he is 45 years old'), []);
    assert.deepEqual(found('account number 12345678901'), [['bank_account', '12345678901']]);
  });

  it('finds secrets', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    assert.deepEqual(found(`Authorization: Bearer ${jwt}`), [['secret', jwt]]);
    assert.deepEqual(found('AWS key AKIAZ7VQ3LMN4PRT2XWY'), [['secret', 'AKIAZ7VQ3LMN4PRT2XWY']]);
    assert.deepEqual(found('password=hunter2!x'), [['secret', 'hunter2!x']]);
    assert.deepEqual(found('my password is Tr0ub4dor&3'), [['secret', 'Tr0ub4dor&3']]);
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    assert.deepEqual(found(`key:\n${pem}\n`), [['secret', pem]]);
    assert.deepEqual(found('export OPENAI_API_KEY=sk-proj-4fGh7Jk9Lm2Np5Qr8St1Uv3Wx6Yz'), [
      ['secret', 'sk-proj-4fGh7Jk9Lm2Np5Qr8St1Uv3Wx6Yz'],
    ]);
  });

  it('finds an address with its following lines', () => {
    assert.deepEqual(found('Ship it to 3784 Archwood Avenue\nSpringfield, IL 62704\nThanks'), [
      ['address', '3784 Archwood Avenue\nSpringfield, IL 62704'],
    ]);
  });

  it('types, names and the score floor narrow a scan', () => {
    const text = 'Mary Jones, mary@example.com';
    assert.deepEqual(found(text, { types: ['email'] }), [['email', 'mary@example.com']]);
    assert.deepEqual(found(text, { names: false }), [['email', 'mary@example.com']]);
  });
});
