import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  attachedBytes,
  base64ToBytes,
  buildCdaLevel1,
  bytesToBase64,
  checkAttachedDocument,
  fromUtf8,
  MAX_CDA_LENGTH,
  portableSha1,
  readCda,
  sha1Base64,
  tsToFhir,
  toTs,
  utf8,
  xdsFormatCode,
  type CdaHeader,
} from './index.js';

const header: CdaHeader = {
  id: { root: '2.999.1.2.3.9.1' },
  type: { code: '11488-4', displayName: 'Note de consultation' },
  title: 'Compte rendu <téléconsultation> & suivi',
  effectiveTime: '2026-03-18T10:15:00+01:00',
  patient: { id: { root: '2.999.1.2.3', extension: 'IDPE-7F3A92C4' }, family: 'Martin', given: 'Claire', gender: 'F', birthDate: '1980-02-14' },
  author: { id: { root: '2.999.1.2.3.7', extension: 'APP-SUIVI' }, device: { model: 'Suivi Santé', software: 'Suivi Santé 4.2' } },
  custodian: { id: { root: '2.999.1.2.3' }, name: 'Éditeur Exemple' },
};

describe('HL7 timestamps', () => {
  it('convert to FHIR dateTime and back, keeping the offset', () => {
    expect(tsToFhir('20260318101500+0100')).toBe('2026-03-18T10:15:00+01:00');
    expect(tsToFhir('19800214')).toBe('1980-02-14');
    expect(tsToFhir('not a date')).toBeUndefined();
    expect(toTs('2026-03-18T10:15:00+01:00')).toBe('20260318101500+0100');
    expect(toTs('2026-03-18T09:15:00Z')).toBe('20260318091500+0000');
    expect(toTs(new Date('2026-03-18T09:15:00Z'))).toBe('20260318091500+0000');
    expect(() => toTs('18/03/2026')).toThrow(/not an ISO 8601/);
  });
});

describe('buildCdaLevel1', () => {
  it('is deterministic, escapes text and reads back to the header it was given', () => {
    const xml = buildCdaLevel1(header, { text: 'Tension stable.' });
    expect(buildCdaLevel1(header, { text: 'Tension stable.' })).toBe(xml);
    expect(xml).toContain('<title>Compte rendu &lt;téléconsultation&gt; &amp; suivi</title>');
    const read = readCda(xml);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.metadata).toMatchObject({
      level: 1,
      id: { root: '2.999.1.2.3.9.1' },
      title: 'Compte rendu <téléconsultation> & suivi',
      type: { code: '11488-4', codeSystem: '2.16.840.1.113883.6.1' },
      effectiveTime: '2026-03-18T10:15:00+01:00',
      confidentiality: { code: 'N' },
      language: 'fr-FR',
      patientIds: [{ root: '2.999.1.2.3', extension: 'IDPE-7F3A92C4' }],
      authors: [{ ids: [{ root: '2.999.1.2.3.7', extension: 'APP-SUIVI' }], device: 'Suivi Santé / Suivi Santé 4.2' }],
      custodian: { name: 'Éditeur Exemple' },
      body: { kind: 'nonXMLBody', mediaType: 'text/plain' },
    });
    expect(xdsFormatCode(read.metadata)).toBe('urn:ihe:iti:xds-sd:text:2008');
  });

  it('embeds a PDF as base64 and says so in the format', () => {
    const pdf = new TextEncoder().encode('%PDF-1.4 tiny');
    const xml = buildCdaLevel1(header, { pdf });
    const read = readCda(xml);
    expect(read.ok && xdsFormatCode(read.metadata)).toBe('urn:ihe:iti:xds-sd:pdf:2008');
    const b64 = /representation="B64">([^<]+)</.exec(xml)![1]!;
    expect(fromUtf8(base64ToBytes(b64))).toBe('%PDF-1.4 tiny');
  });
});

describe('readCda', () => {
  it('reads a level-3 document: structured body, several patient ids and authors', () => {
    const xml = readFileSync(new URL('../../../test/fixtures/documents/cda-level3.xml', import.meta.url), 'utf8');
    const read = readCda(xml);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const m = read.metadata;
    expect(m.level).toBe(3);
    expect(m.body).toEqual({ kind: 'structuredBody', sections: 2 });
    expect(m.id).toEqual({ root: '2.999.1.2.3.9.3', extension: 'Q-2026-0042' });
    expect(m.versionNumber).toBe('2');
    expect(m.confidentiality?.code).toBe('R');
    expect(m.patientIds).toEqual([
      { root: '2.999.1.2.3', extension: 'IDPE-7F3A92C4' },
      { root: '1.2.250.1.213.1.4.8', extension: '123456789012345' },
    ]);
    expect(m.authors.map((a) => a.name ?? a.device)).toEqual(['Suivi Santé / Suivi Santé 4.2', 'Sophie Leclerc']);
    expect(xdsFormatCode(m)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['<ClinicalDocument><title>x</ClinicalDocument>', /not well-formed XML \(line 1/],
    ['<?xml version="1.0"?><Bundle xmlns="http://hl7.org/fhir"/>', /root element is Bundle, not ClinicalDocument/],
    ['<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>', /has no body/],
  ])('gives a clear error, never a throw: %s', (xml, message) => {
    const read = readCda(xml);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.error).toMatch(message);
  });

  it('refuses a document over 10 MiB unread', () => {
    const body = 'x'.repeat(MAX_CDA_LENGTH);
    const read = readCda(`<ClinicalDocument xmlns="urn:hl7-org:v3">${body}</ClinicalDocument>`);
    expect(read).toEqual({ ok: false, error: expect.stringMatching(/^the CDA document is larger than 10 MiB \(\d+ characters\): not read$/) });
  });

  it('never throws on arbitrary text', () => {
    for (const text of ['<', '<<>>', '&amp', '<?xml?>', '<a b=c>', '\u0000', '<ClinicalDocument>'.repeat(50), null as unknown as string]) {
      expect(() => readCda(text)).not.toThrow();
    }
  });
});

describe('attachedBytes and checkAttachedDocument', () => {
  const xml = buildCdaLevel1(header, { text: 'Tension stable.' });
  const bytes = new TextEncoder().encode(xml);
  const data = bytesToBase64(bytes);
  const documentReference = (attachment: Record<string, unknown>, code = '11488-4') => ({
    type: { coding: [{ system: 'http://loinc.org', code }] },
    subject: { identifier: { system: 'urn:oid:2.999.1.2.3', value: 'IDPE-7F3A92C4' } },
    content: [
      { attachment: { contentType: 'text/xml', creation: '2026-03-18T10:15:00+01:00', ...attachment }, format: { code: 'urn:ihe:iti:xds-sd:text:2008' } },
    ],
  });

  it('reads inline base64, fetches only XML documents held elsewhere, and skips what is not base64', () => {
    expect(attachedBytes({ data })).toEqual(bytes);
    expect(attachedBytes({ data: 'not base64!' })).toBeUndefined();
    expect(attachedBytes({ contentType: 'text/xml', url: 'urn:uuid:1' }, (url) => (url === 'urn:uuid:1' ? bytes : undefined))).toEqual(bytes);
    expect(attachedBytes({ contentType: 'text/plain', url: 'urn:uuid:1' }, () => bytes)).toBeUndefined();
    // the base64 of more than a readable document is not decoded
    expect(attachedBytes({ data: 'AAAA'.repeat(Math.ceil(MAX_CDA_LENGTH / 3) + 1) }) === undefined).toBe(true);
    expect(attachedBytes({ data: 'AAAA'.repeat(1000) })).toHaveLength(3000);
  });

  it('finds nothing when the metadata describe the document, and each disagreement with its path', () => {
    expect(checkAttachedDocument(documentReference({ data, size: bytes.length }), 0, bytes)).toEqual([]);
    const found = checkAttachedDocument(documentReference({ data, size: 3 }, '34133-9'), 0, bytes);
    expect(found.map((f) => [f.id, f.location])).toEqual([
      ['document-size', 'content[0].attachment.size'],
      ['document-type', 'type'],
    ]);
    const notCda = checkAttachedDocument(documentReference({ data: 'PGh0bWw+', size: 6 }), 0, new TextEncoder().encode('<html>'));
    expect(notCda).toEqual([
      {
        severity: 'error',
        code: 'structure',
        id: 'document-not-cda',
        location: 'content[0].attachment.data',
        message: expect.stringMatching(/not a readable CDA R2 document/),
      },
    ]);
  });
});

describe('sha1Base64', () => {
  it('gives the digest of Node and of FIPS 180-4 at every padding boundary, natively and portably', () => {
    // 55/56 and 119/120 bytes: the length fits in the last block, or needs one more
    for (const length of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000, 70_001]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 31 + 7) & 0xff);
      const expected = createHash('sha1').update(bytes).digest('base64');
      expect(sha1Base64(bytes), `${length} bytes`).toBe(expected);
      expect(bytesToBase64(portableSha1(bytes)), `${length} bytes`).toBe(expected);
    }
    // the FIPS 180-4 example "abc"
    expect(Buffer.from(portableSha1(utf8('abc'))).toString('hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});
