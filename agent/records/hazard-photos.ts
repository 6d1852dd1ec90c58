/**
 * Photos of hidden hazards and their rectification, as files beside the buffer's database
 * (`hazard-photos/` in its folder); a record names its photos. A photo is a JPEG or PNG by its
 * first bytes (whatever the browser claims), at most PHOTO_MAX_BYTES, and all of them together
 * stay within PHOTO_BUDGET_BYTES: past it a new photo is refused and the record goes on without.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A phone camera's JPEG is 2–4 MiB; the page asks the browser to shrink larger ones to this first. */
export const PHOTO_MAX_BYTES = 4 * 1024 * 1024;
/** about 50 full-size photos; on a 1 GiB buffer card this keeps the buffer's own budget whole */
export const PHOTO_BUDGET_BYTES = 200 * 1024 * 1024;
export const PHOTO_NAME = /^[0-9a-f]{24}\.(jpg|png)$/;

export type PhotoRefusal = 'not-an-image' | 'too-large' | 'budget-full';
export type PhotoResult = { ok: true; name: string } | { ok: false; refusal: PhotoRefusal; reason: { zh: string; en: string } };

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (b: Buffer, magic: number[]) => b.length >= magic.length && magic.every((x, i) => b[i] === x);

export class HazardPhotos {
  private used: number | undefined;

  constructor(
    readonly dir: string,
    private readonly maxBytes = PHOTO_MAX_BYTES,
    private readonly budgetBytes = PHOTO_BUDGET_BYTES,
  ) {}

  async save(bytes: Buffer): Promise<PhotoResult> {
    const ext = startsWith(bytes, JPEG) ? 'jpg' : startsWith(bytes, PNG) ? 'png' : undefined;
    if (!ext) return { ok: false, refusal: 'not-an-image', reason: { zh: '照片必须是 JPEG 或 PNG 图片', en: 'a photo must be a JPEG or PNG image' } };
    if (bytes.length > this.maxBytes) return tooLarge(this.maxBytes);
    const used = await this.usedBytes();
    if (used + bytes.length > this.budgetBytes) {
      return { ok: false, refusal: 'budget-full', reason: { zh: '照片存储空间已满，记录可不带照片提交', en: 'the photo store is full: the record can go on without a photo' } };
    }
    await mkdir(this.dir, { recursive: true });
    const name = `${randomBytes(12).toString('hex')}.${ext}`;
    // written aside and renamed, so a power cut never leaves half a photo under its name
    const tmp = join(this.dir, `.${name}.part`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(this.dir, name));
    this.used = used + bytes.length;
    return { ok: true, name };
  }

  async has(name: string): Promise<boolean> {
    if (!PHOTO_NAME.test(name)) return false;
    return stat(join(this.dir, name)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** The photo's bytes and type, or undefined. */
  async read(name: string): Promise<{ bytes: Buffer; type: string } | undefined> {
    if (!PHOTO_NAME.test(name)) return undefined;
    try {
      return { bytes: await readFile(join(this.dir, name)), type: name.endsWith('.png') ? 'image/png' : 'image/jpeg' };
    } catch {
      return undefined;
    }
  }

  private async usedBytes(): Promise<number> {
    if (this.used !== undefined) return this.used;
    let total = 0;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) total += (await stat(join(this.dir, n)).catch(() => undefined))?.size ?? 0;
    this.used = total;
    return total;
  }
}

function tooLarge(max: number): PhotoResult {
  const mib = max / 1024 / 1024;
  return { ok: false, refusal: 'too-large', reason: { zh: `照片不能大于 ${mib} MiB`, en: `a photo may be at most ${mib} MiB` } };
}
