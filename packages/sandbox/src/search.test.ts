import { describe, expect, it } from 'vitest';
import { FhirError } from './fhir.js';
import { checkParameters, dateBounds, paging, searchsetBundle } from './search.js';
import { checkApps } from './apps.js';

describe('dateBounds', () => {
  it('turns ge/le values into the first and last instant at their precision', () => {
    expect(dateBounds(['ge2026-02', 'le2026-02'])).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-02-28T23:59:59.999Z' });
    expect(dateBounds(['2026-03-18'])).toEqual({ from: '2026-03-18T00:00:00.000Z', to: '2026-03-18T23:59:59.999Z' });
    expect(dateBounds(['ge2026-03-18T07:32:00+01:00'])).toEqual({ from: '2026-03-18T06:32:00.000Z' });
  });
  it('refuses what is not a FHIR date search value', () => {
    expect(() => dateBounds(['yesterday'])).toThrow(FhirError);
    expect(() => dateBounds(["ge2026' OR 1=1"])).toThrow(/not a FHIR date/);
    // days and times no calendar has (Date.UTC would roll them over)
    for (const v of ['2026-02-30', 'ge2026-13', 'le2026-00-10', '2026-04-31T10:00:00Z', 'ge2026-01-01T24:00:00Z', 'ge2026-01-01T10:60Z']) {
      expect(() => dateBounds([v]), v).toThrow(/is not a valid (date|instant): no such/);
    }
    expect(dateBounds(['2024-02-29'])).toEqual({ from: '2024-02-29T00:00:00.000Z', to: '2024-02-29T23:59:59.999Z' });
  });
});

describe('parameters and paging', () => {
  it('refuses unknown parameters, naming them and the supported ones', () => {
    expect(() => checkParameters({ code: '1', patient: 'x' }, ['code'])).toThrow('Unknown search parameter "patient"; supported: code');
  });
  it('bounds _count and reads _offset as a page number', () => {
    expect(paging({})).toEqual({ count: 50, page: 0 });
    expect(paging({ _count: '100', _offset: '3' })).toEqual({ count: 100, page: 3 });
    expect(() => paging({ _count: '0' })).toThrow(FhirError);
    expect(() => paging({ _count: '1e3' })).toThrow(FhirError);
  });
  it('links previous and next pages only when they exist', () => {
    const bundle = (page: number) =>
      searchsetBundle({ base: 'http://s', path: 'Observation', query: { code: '1', _offset: String(page) }, total: 5, count: 2, page, matches: [] });
    const relations = (page: number) => (bundle(page).link as Array<{ relation: string; url: string }>).map((l) => `${l.relation} ${l.url}`);
    expect(relations(0)).toEqual(['self http://s/Observation?code=1', 'next http://s/Observation?code=1&_offset=1']);
    expect(relations(2)).toEqual(['self http://s/Observation?code=1&_offset=2', 'previous http://s/Observation?code=1&_offset=1']);
  });
});

describe('checkApps', () => {
  it('names the faulty entry', () => {
    expect(() => checkApps({}, 'f.json')).toThrow('f.json: expected {"apps": [ … ]} with at least one app');
    expect(() => checkApps({ apps: [{ clientId: 'a', clientSecret: 's' }] }, 'f.json')).toThrow('f.json: apps[0].oid must be a non-empty string');
    const twice = {
      apps: [
        { clientId: 'a', clientSecret: 's', oid: '1.2.3' },
        { clientId: 'b', clientSecret: 's', oid: '1.2.3' },
      ],
    };
    expect(() => checkApps(twice, 'f.json')).toThrow('f.json: apps[1].oid 1.2.3 is already the OID of app "a"');
  });
  it('takes redirect uris that are absolute http(s) urls without a fragment, and only those', () => {
    const app = (redirectUris: unknown) => ({ apps: [{ clientId: 'a', clientSecret: 's', oid: '1.2.3', redirectUris }] });
    expect(checkApps(app(['https://app.example/retour', 'http://127.0.0.1:3000/cb']), 'f.json')[0]?.redirectUris).toEqual([
      'https://app.example/retour',
      'http://127.0.0.1:3000/cb',
    ]);
    for (const bad of ['/retour', ['javascript:alert(1)'], ['https://app.example/cb#x'], ['retour'], [42]])
      expect(() => checkApps(app(bad), 'f.json'), JSON.stringify(bad)).toThrow(
        'f.json: apps[0].redirectUris must be a list of absolute http(s) URLs without a fragment',
      );
  });
});
