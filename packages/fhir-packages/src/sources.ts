import { readdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { insideFolder } from './package-name.js';
import { pickVersion } from './versions.js';
import type { PackageRef } from './types.js';

/**
 * A place a package tarball can come from. `locate` resolves the requested version against what
 * the source offers and returns a local tarball path, or undefined when the source lacks it.
 */
export interface PackageSource {
  /** Human description used in "places looked" error messages. */
  describe(ref: PackageRef): string;
  readonly kind: 'mirror' | 'registry';
  /** Resolves a non-exact version (latest, 2.1.x) to one this source holds. */
  resolveVersion(name: string, requested: string): Promise<string | undefined>;
  /** Returns the path of a tarball for an exact version, downloading into `scratchDir` if needed. */
  fetchTarball(ref: PackageRef, scratchDir: string): Promise<string | undefined>;
}

/** A folder of `<name>-<version>.tgz` files standing in for the registry (no network). */
export class MirrorSource implements PackageSource {
  readonly kind = 'mirror' as const;
  constructor(readonly folder: string) {}

  describe(ref: PackageRef): string {
    return `mirror ${join(this.folder, `${ref.name}-${ref.version}.tgz`)}`;
  }

  async versionsOf(name: string): Promise<string[]> {
    const files = await readdir(this.folder).catch(() => [] as string[]);
    const prefix = `${name}-`;
    return files
      .filter((f) => f.startsWith(prefix) && f.endsWith('.tgz'))
      .map((f) => f.slice(prefix.length, -'.tgz'.length))
      .filter((v) => /^\d/.test(v));
  }

  async resolveVersion(name: string, requested: string): Promise<string | undefined> {
    return pickVersion(requested, await this.versionsOf(name));
  }

  async fetchTarball(ref: PackageRef): Promise<string | undefined> {
    const file = insideFolder(this.folder, join(this.folder, `${ref.name}-${ref.version}.tgz`));
    try {
      await access(file);
      return file;
    } catch {
      return undefined;
    }
  }
}

/** The public FHIR package registry (or the one named by FPL_REGISTRY), over HTTPS. */
export class RegistrySource implements PackageSource {
  readonly kind = 'registry' as const;
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  describe(ref: PackageRef): string {
    return `registry ${this.baseUrl.replace(/\/$/, '')}/${ref.name}/${ref.version}`;
  }

  async resolveVersion(name: string, requested: string): Promise<string | undefined> {
    try {
      const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/${name}`);
      if (!res.ok) return undefined;
      const body = (await res.json()) as { versions?: Record<string, unknown>; 'dist-tags'?: { latest?: string } };
      if (requested === 'latest' && body['dist-tags']?.latest) return body['dist-tags'].latest;
      return pickVersion(requested, Object.keys(body.versions ?? {}));
    } catch {
      return undefined;
    }
  }

  async fetchTarball(ref: PackageRef, scratchDir: string): Promise<string | undefined> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`);
    } catch {
      return undefined;
    }
    if (!res.ok) return undefined;
    const file = insideFolder(scratchDir, join(scratchDir, `${ref.name}-${ref.version}.tgz`));
    await writeFile(file, new Uint8Array(await res.arrayBuffer()));
    return file;
  }
}
