// The validator of `mes-fhir validate`, in a Web Worker of the "Essayer" page: the same code
// (@mes-fhir/validator) over the same definitions (written into the build by
// plugins/validator-definitions.js), so that the page and the CLI give one verdict, and a large
// payload never blocks the page. Definitions are fetched on first use, synchronously, which a
// worker may do: a validation reads them in the middle of a synchronous walk.
import { ResourceIndex } from '@mes-fhir/fhir-packages';
import { Validator } from '@mes-fhir/validator';

/** @type {Promise<{ validator: Validator, profiles: Array<{ url: string, title: string, type: string }> }> | undefined} */
let loading;

/** @param {string} base the folder of index.json */
async function load(base) {
  const response = await fetch(`${base}index.json`);
  if (!response.ok) throw new Error(`définitions introuvables (${base}index.json : HTTP ${response.status})`);
  const listing = await response.json();
  const layers = listing.layers.map((/** @type {{ label: string, entries: any[][] }} */ layer) => ({
    label: layer.label,
    entries: layer.entries.map(([resourceType, id, url, version, file]) => ({
      resourceType,
      id: id ?? undefined,
      url: url ?? undefined,
      version: version ?? undefined,
      file: file ?? '',
    })),
    read: (/** @type {string} */ file) => fetchDefinition(base, file),
  }));
  return { validator: new Validator(new ResourceIndex(layers), listing.ownLayers), profiles: listing.profiles };
}

/** One definition, fetched synchronously; a definition the site does not publish is an error with its reason as `code`. */
function fetchDefinition(base, file) {
  if (!file) throw Object.assign(new Error('not published'), { code: 'non publiée pour le navigateur' });
  const request = new XMLHttpRequest();
  request.open('GET', base + file, false);
  request.send();
  if (request.status !== 200) throw Object.assign(new Error('not fetched'), { code: `HTTP ${request.status}` });
  return JSON.parse(request.responseText);
}

self.onmessage = async ({ data }) => {
  const { id, base, text, profile } = data;
  try {
    loading ??= load(base);
    const { validator, profiles } = await loading;
    if (text === undefined) return self.postMessage({ id, profiles });
    const options = profile ? { profile } : {};
    // read once, as validateJson and validateXml do; unreadable text gets their own issue
    const xml = /^\s*</.test(text);
    const read = xml ? validator.xml.fromXml(text) : parseJson(text);
    const outcome = !read.ok
      ? xml
        ? validator.validateXml(text, options)
        : validator.validateJson(text, options)
      : validator.validate(read.resource, options);
    self.postMessage({ id, outcome, format: xml ? 'xml' : 'json', declared: read.ok ? declaredProfiles(validator, read.resource) : [] });
  } catch (e) {
    loading = undefined;
    self.postMessage({ id, failure: e instanceof Error ? e.message : String(e) });
  }
};

function parseJson(text) {
  try {
    return { ok: true, resource: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The profiles the resource claims in meta.profile that resolve to one of ours (the page asks for one when there is none). */
function declaredProfiles(validator, resource) {
  const claimed = resource?.meta?.profile;
  if (!Array.isArray(claimed)) return [];
  return claimed.filter((p) => typeof p === 'string').flatMap((p) => validator.resolveProfile(p) ?? []);
}
