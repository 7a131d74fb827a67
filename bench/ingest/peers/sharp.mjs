// The ingest pipeline with sharp (libvips): the same outputs as Darkroom's.
// usage: node sharp.mjs <corpus dir> <out dir> <workers>
// Per photo: read, SHA-256, EXIF (exif-reader), then one decode (with
// shrink-on-load) to a 2048 px upright raw image, from which the preview,
// the watermarked proof, the 400 px thumbnail and the 800 px mediums (clean
// and from the proof) are encoded, as Darkroom does.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import exifReader from 'exif-reader';

const [dir, out, workersArg] = process.argv.slice(2);
const workers = Number(workersArg || 2);
sharp.concurrency(Number(process.env.SHARP_THREADS || 1));
sharp.cache(false);
await fs.mkdir(out, { recursive: true });
const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();

const marks = new Map();
async function watermark(width) {
  if (!marks.has(width)) {
    const w = Math.round(width * 0.3);
    const h = Math.round(w / 6);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
      <text x="0" y="${Math.round(h * 0.8)}" font-family="sans-serif" font-size="${Math.round(h * 0.8)}"
        fill="white" fill-opacity="0.6" stroke="black" stroke-opacity="0.3">© Lumen Studio proof</text></svg>`;
    marks.set(width, await sharp(Buffer.from(svg)).png().toBuffer());
  }
  return marks.get(width);
}

async function one(f) {
  const buf = await fs.readFile(path.join(dir, f));
  const hash = createHash('sha256').update(buf).digest('hex');
  const meta = await sharp(buf).metadata();
  const exif = meta.exif ? exifReader(meta.exif) : null;
  const { data, info } = await sharp(buf)
    .rotate()
    .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const stem = f.replace(/\.jpg$/, '');
  const wm = await watermark(info.width);
  await Promise.all([
    sharp(data, raw).jpeg({ quality: 85 }).toFile(path.join(out, `${stem}.preview.jpg`)),
    sharp(data, raw).composite([{ input: wm, gravity: 'southeast' }]).jpeg({ quality: 82 }).toFile(path.join(out, `${stem}.proof.jpg`)),
    sharp(data, raw).resize(400, 400, { fit: 'inside' }).jpeg({ quality: 80 }).toFile(path.join(out, `${stem}.thumb.jpg`)),
    sharp(data, raw).resize(800, 800, { fit: 'inside' }).jpeg({ quality: 80 }).toFile(path.join(out, `${stem}.medium.jpg`)),
    sharp(await sharp(data, raw).composite([{ input: wm, gravity: 'southeast' }]).raw().toBuffer(), raw)
      .resize(800, 800, { fit: 'inside' }).jpeg({ quality: 80 }).toFile(path.join(out, `${stem}.medium-proof.jpg`)),
  ]);
  return [hash, exif];
}

let next = 0;
const start = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (next < files.length) {
      const f = files[next++];
      await one(f);
    }
  }),
);
const secs = Number(process.hrtime.bigint() - start) / 1e9;
const rss = process.resourceUsage().maxRSS / 1024;
console.log(`sharp photos=${files.length} seconds=${secs.toFixed(3)} photos_per_s=${(files.length / secs).toFixed(3)} peak_rss_mb=${rss.toFixed(1)}`);
