/**
 * The twin's S3 versions: s3rver 3.7.1 keeps one object per key and knows nothing of versioning or Object Lock, so
 * the twin keeps each key's versions here, newest first. The current version's bytes stay where s3rver keeps them
 * (its GET, HEAD, tagging and listing go on working); a version that stops being current has its files moved aside
 * to `<dataDir>/.versions/`, and a version made current again has them moved back. The records live in memory: the
 * twin empties its data folder at every start. Written by hand: no npm package adds versioning to s3rver.
 *
 * Rules modelled (Amazon S3 User Guide, "How S3 Versioning works"):
 *  - "Amazon S3 generates a unique version ID for each object added to a bucket": every PUT is a new version
 *    (deterministic ids here, from the key and its write count, so a seeded run writes the same manifests).
 *  - "When you PUT an object in a versioning-enabled bucket, the noncurrent version is not overwritten."
 *  - "A simple DELETE cannot permanently delete an object ... Amazon S3 inserts a delete marker", which becomes
 *    the current version; "To permanently delete versioned objects, you must use DELETE Object versionId."
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type S3rver from 's3rver';

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface ObjectVersion {
  versionId: string;
  deleteMarker: boolean;
  lastModified: Date;
  size: number;
  etag: string;
  retention?: { mode: LockMode; until: Date };
  legalHold: boolean;
  /** The folder holding this version's s3rver files while it is not the current version. */
  aside?: string;
}

/** The s3rver resource files of one object (see local/s3/server.ts directAccess). */
const RESOURCES = ['object', 'object.md5', 'metadata.json', 'tagging.xml'];

export class VersionStore {
  private readonly versions = new Map<string, ObjectVersion[]>();
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly store: S3rver.S3rverStore,
    private readonly asideDir: string,
  ) {}

  private static id(bucket: string, key: string) {
    return `${bucket}\u0000${key}`;
  }

  /** The key's versions, newest first; an object s3rver has that no PUT here registered (none yet) counts as one. */
  async list(bucket: string, key: string): Promise<ObjectVersion[]> {
    const id = VersionStore.id(bucket, key);
    let list = this.versions.get(id) ?? [];
    const current = list[0];
    const exists = await this.store.existsObject(bucket, key);
    if (current && !current.deleteMarker && !current.aside && !exists) {
      // Removed behind the front's back (the harness's direct delete): the record goes with it.
      list = list.slice(1);
      this.versions.set(id, list);
    } else if (exists && (!current || current.deleteMarker || current.aside)) {
      list = [await this.describeCurrent(bucket, key, { legalHold: false }), ...list];
      this.versions.set(id, list);
    }
    return list;
  }

  /** Keys with versions recorded under the prefix (delete markers and noncurrent ones included). */
  keys(bucket: string, prefix: string): string[] {
    const out: string[] = [];
    for (const id of this.versions.keys()) {
      const [b, k] = id.split('\u0000');
      if (b === bucket && k.startsWith(prefix) && (this.versions.get(id)?.length ?? 0) > 0) out.push(k);
    }
    return out;
  }

  async find(bucket: string, key: string, versionId: string): Promise<ObjectVersion | undefined> {
    return (await this.list(bucket, key)).find((v) => v.versionId === versionId);
  }

  private nextVersionId(bucket: string, key: string): string {
    const id = VersionStore.id(bucket, key);
    const n = (this.writes.get(id) ?? 0) + 1;
    this.writes.set(id, n);
    return createHash('sha256').update(`${bucket}/${key}#${n}`).digest('base64url').slice(0, 32);
  }

  private async describeCurrent(bucket: string, key: string, lock: Pick<ObjectVersion, 'retention' | 'legalHold'>): Promise<ObjectVersion> {
    const meta = (await this.store.getMetadata(bucket, key)) as Record<string, string>;
    const file = await stat(this.store.getResourcePath(bucket, key, 'object')).catch(() => undefined);
    return {
      versionId: this.nextVersionId(bucket, key),
      deleteMarker: false,
      lastModified: file?.mtime ?? new Date(0),
      size: Number(meta['content-length'] ?? file?.size ?? 0),
      etag: String(meta.etag ?? ''),
      ...lock,
    };
  }

  /** Before a PUT or a simple DELETE replaces the current version: its files go aside. */
  async setAsideCurrent(bucket: string, key: string): Promise<void> {
    const [current] = await this.list(bucket, key);
    if (!current || current.deleteMarker || current.aside) return;
    const dir = join(this.asideDir, createHash('sha256').update(`${bucket}/${key}/${current.versionId}`).digest('hex'));
    await mkdir(dir, { recursive: true });
    for (const r of RESOURCES) {
      await copyFile(this.store.getResourcePath(bucket, key, r), join(dir, r)).catch(ignoreMissing);
    }
    current.aside = dir;
  }

  /** A PUT that failed: the version set aside for it is current again. */
  async putBack(bucket: string, key: string): Promise<void> {
    const [current] = this.versions.get(VersionStore.id(bucket, key)) ?? [];
    if (!current?.aside || !(await this.store.existsObject(bucket, key))) return;
    await rm(current.aside, { recursive: true, force: true });
    current.aside = undefined;
  }

  /** After a PUT succeeded: the new current version, with the lock it was written with. */
  async added(bucket: string, key: string, lock: Pick<ObjectVersion, 'retention' | 'legalHold'>): Promise<ObjectVersion> {
    const id = VersionStore.id(bucket, key);
    const list = this.versions.get(id) ?? [];
    // A reader between the write and this call already counted the new bytes as a version: that one it is.
    if (list[0] && !list[0].deleteMarker && !list[0].aside) return Object.assign(list[0], lock);
    const version = await this.describeCurrent(bucket, key, lock);
    this.versions.set(id, [version, ...list]);
    return version;
  }

  /** A simple DELETE: the current version's files go aside, and a delete marker becomes current. */
  async addDeleteMarker(bucket: string, key: string, now: Date): Promise<ObjectVersion> {
    await this.setAsideCurrent(bucket, key);
    await this.removeCurrentFiles(bucket, key);
    const id = VersionStore.id(bucket, key);
    const marker: ObjectVersion = {
      versionId: this.nextVersionId(bucket, key),
      deleteMarker: true,
      lastModified: now,
      size: 0,
      etag: '',
      legalHold: false,
    };
    this.versions.set(id, [marker, ...(this.versions.get(id) ?? [])]);
    return marker;
  }

  /**
   * DELETE with a versionId: that version is gone. "If you delete the current version, the previous version
   * becomes current" (its files move back to s3rver's place), unless it is a delete marker.
   */
  async remove(bucket: string, key: string, versionId: string): Promise<void> {
    const id = VersionStore.id(bucket, key);
    const list = await this.list(bucket, key);
    const index = list.findIndex((v) => v.versionId === versionId);
    if (index < 0) return;
    const [version] = list.splice(index, 1);
    if (version.aside) await rm(version.aside, { recursive: true, force: true });
    else if (!version.deleteMarker) await this.removeCurrentFiles(bucket, key);
    if (index === 0 && list[0] && list[0].aside) {
      const back = list[0];
      for (const r of RESOURCES) {
        await rename(join(back.aside as string, r), this.store.getResourcePath(bucket, key, r)).catch(ignoreMissing);
      }
      await rm(back.aside as string, { recursive: true, force: true });
      back.aside = undefined;
    }
    this.versions.set(id, list);
  }

  private async removeCurrentFiles(bucket: string, key: string): Promise<void> {
    for (const r of RESOURCES) await rm(this.store.getResourcePath(bucket, key, r), { force: true });
  }
}

function ignoreMissing(e: NodeJS.ErrnoException): void {
  if (e.code !== 'ENOENT') throw e;
}
