/**
 * Version selection for FHIR package dependencies. Package manifests name exact versions,
 * `latest`, or a patch wildcard (`2.1.x`); anything else is taken literally.
 */
export function isExactVersion(requested: string): boolean {
  return requested !== 'latest' && !/(^|\.)x$/.test(requested);
}

/** Picks the version that satisfies `requested` among `available`, or undefined. */
export function pickVersion(requested: string, available: string[]): string | undefined {
  if (isExactVersion(requested)) return available.includes(requested) ? requested : undefined;
  const releases = available.filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  const candidates = requested === 'latest' ? releases : releases.filter((v) => v.startsWith(requested.slice(0, -1)));
  return candidates.sort(compareVersions).at(-1);
}

/** Numeric comparison of dotted versions; a pre-release suffix sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [mainA = '', preA] = a.split(/-(.*)/s);
  const [mainB = '', preB] = b.split(/-(.*)/s);
  const partsA = mainA.split('.').map(Number);
  const partsB = mainB.split('.').map(Number);
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i++) {
    const diff = (partsA[i] ?? 0) - (partsB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}
