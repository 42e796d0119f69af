/**
 * The issues of one validation as the reader wants them: each once, in document order (an issue
 * before those inside the element it sits on; issues at one place in the order they were found).
 */
import { isObject, type Issue } from '@mes-fhir/core';

/**
 * Where a location sits in the resource, as the positions of its keys and array indexes from the
 * root (document order compares them lexicographically, a parent before its children). A location
 * the resource does not have, such as `Observation.value` from FHIRPath for `valueQuantity` or a
 * missing element, takes the position of its nearest parent; undefined: not in the resource.
 */
function documentPosition(resource: unknown, root: string, location: string): number[] | undefined {
  if (location !== root && !location.startsWith(`${root}.`) && !location.startsWith(`${root}[`)) return undefined;
  const position: number[] = [];
  let current = resource;
  // read step by step: `.name` or `[index]` (every issue of an invalid resource is placed so)
  for (let i = root.length; i < location.length;) {
    if (location.charCodeAt(i) === 91 /* [ */) {
      const close = location.indexOf(']', i);
      const index = close < 0 ? NaN : Number(location.slice(i + 1, close));
      if (!Array.isArray(current) || !(index < current.length)) break;
      position.push(index);
      current = current[index];
      i = close + 1;
      continue;
    }
    let end = i + 1;
    while (end < location.length && location.charCodeAt(end) !== 46 && location.charCodeAt(end) !== 91) end++;
    const name = location.slice(i + 1, end);
    i = end;
    if (!isObject(current)) break;
    // the key's position among the keys (resourceType aside)
    let foundAt = -1;
    let choiceKey: string | undefined;
    let choiceAt = -1;
    let n = 0;
    for (const key of Object.keys(current)) {
      if (key === 'resourceType') continue;
      if (key === name) {
        foundAt = n;
        break;
      }
      // FHIRPath names a choice without its type (Observation.effective): its JSON name has it
      if (choiceKey === undefined && key.length > name.length && key.startsWith(name) && /^[A-Z][A-Za-z]*$/.test(key.slice(name.length))) {
        choiceKey = key;
        choiceAt = n;
      }
      n++;
    }
    if (foundAt < 0 && choiceKey === undefined) break;
    position.push(foundAt >= 0 ? foundAt : choiceAt);
    current = current[foundAt >= 0 ? name : choiceKey!];
  }
  return position;
}

/** The same issue twice: same severity, location, and key (or message when it has none). */
function sameIssue(a: Issue, b: Issue): boolean {
  return a.severity === b.severity && a.location === b.location && (a.key ?? a.message) === (b.key ?? b.message);
}

/**
 * Each issue once (same severity, location and key or message), in the order first found: dropped
 * here rather than on each report, which most validations (one warning or none) never need. A few
 * issues (the common case) are compared pairwise; many, through a set of their identities.
 */
export function distinct(issues: Issue[]): Issue[] {
  if (issues.length <= 16) {
    const kept: Issue[] = [];
    for (let i = 0; i < issues.length; i++) {
      let seen = false;
      for (let k = 0; k < kept.length && !seen; k++) seen = sameIssue(kept[k]!, issues[i]!);
      if (!seen) kept.push(issues[i]!);
    }
    return kept;
  }
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${i.severity}|${i.location}|${i.key ?? i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Document positions compared: an unplaced issue (outside the resource) after every placed one, a place before what is inside it. */
function comparePositions(a: number[] | undefined, b: number[] | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  const common = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Issues in document order (stable: issues at one place keep the order they were found in). An
 * invalid resource has a few issues: an insertion sort, with no closures or index arrays, costs
 * less than a general sort; a long list goes through Array.prototype.sort.
 */
export function sortInDocumentOrder(issues: Issue[], resource: unknown, root: string): Issue[] {
  const n = issues.length;
  const positions: Array<number[] | undefined> = new Array(n);
  for (let i = 0; i < n; i++) positions[i] = documentPosition(resource, root, issues[i]!.location);
  if (n > 32) {
    const order = issues.map((_, i) => i).sort((a, b) => comparePositions(positions[a], positions[b]) || a - b);
    return order.map((i) => issues[i]!);
  }
  const sorted = issues.slice();
  for (let i = 1; i < n; i++) {
    const issue = sorted[i]!;
    const position = positions[i];
    let j = i - 1;
    // strictly after: issues at one place keep their order
    while (j >= 0 && comparePositions(positions[j], position) > 0) {
      sorted[j + 1] = sorted[j]!;
      positions[j + 1] = positions[j];
      j--;
    }
    sorted[j + 1] = issue;
    positions[j + 1] = position;
  }
  return sorted;
}
