import sharp from 'sharp';

/**
 * Scans people share are tilted, noisy and small: tesseract's line finder and LSTM read them badly
 * (at 200 dpi with sensor noise, Chinese falls apart: bench/RESULTS.md, "OCR on noisy scans"). This
 * measures a page (skew, noise, line height) on a small copy and makes the copy tesseract reads best:
 * straightened, enlarged to a legible line height, smoothed and binarised.
 */

/** Skew is searched within ±MAX_SKEW_DEG, to SKEW_STEP_DEG; scans are rarely further off, and beyond that the page was turned on purpose. */
const MAX_SKEW_DEG = 5;
const SKEW_STEP_DEG = 0.1;
const COARSE_SKEW_STEP_DEG = 0.5;
/** Less skew than this is left alone: rotating resamples every pixel and tesseract copes with it. */
const MIN_DESKEW_DEG = 0.3;
/** Width of the copy skew and line height are measured on: fine enough for 0.1° over a page's width, cheap enough for a 300-dpi A4 page. */
const MEASURE_WIDTH = 1000;
/** Text lines are enlarged to about this many pixels from ascender to descender (tesseract reads 10-point text at 300 dpi well, ~40 px; noisy pages better a little larger)... */
const TARGET_LINE_PX = 48;
/** ...by at most this factor, */
const MAX_UPSCALE = 2.5;
/** ...within this many pixels a side (as for the image itself). */
const MAX_SIDE = 4096;
/** How much larger (or smaller) a second reading is than an unsure first one. */
const RETRY_SCALE = 1.4;
/** Mean deviation (grey levels) of the paper from its neighbours above which a page is noisy: clean scans and screenshots measure 0-4, sensor noise 10 and more. */
const NOISY_FROM = 6;

export interface ScanMeasure {
  /** Degrees the text is turned clockwise (the page is straightened by turning it back). */
  skewDeg: number;
  /** Median height of a text line in the image's pixels, or undefined when no lines were found. */
  lineHeightPx: number | undefined;
  /** Mean absolute difference of a paper pixel from its neighbours' mean, in grey levels. */
  noise: number;
}

/** Skew, line height and noise of a greyscale page. */
export async function measureScan(image: Buffer): Promise<ScanMeasure> {
  const full = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
  const scale = Math.min(1, MEASURE_WIDTH / full.info.width);
  // Shrunk and smoothed, so that sensor noise does not join the lines (it is measured on the full image).
  const small = await sharp(full.data, { raw: full.info })
    .resize({ width: Math.round(full.info.width * scale) })
    .blur(1)
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ink = inkPixels(small.data, small.info.width, otsuThreshold(small.data));
  const { skewDeg, profile } = bestSkew(ink);
  const lineHeight = medianLineHeight(profile);
  return {
    skewDeg,
    lineHeightPx: lineHeight === undefined ? undefined : lineHeight / scale,
    noise: paperNoise(full.data, full.info.width, full.info.height, otsuThreshold(full.data)),
  };
}

export interface CleanupPlan {
  /** Turn the page back by this many degrees (0: left as it is). */
  deskewDeg: number;
  /** Enlarge by this factor (1: not). */
  scale: number;
  /** Smooth the noise away before binarising. */
  denoise: boolean;
}

/** What to do to a page so measured, or undefined when nothing measured is wrong with it. */
export function planCleanup(measure: ScanMeasure, width: number, height: number): CleanupPlan | undefined {
  const deskewDeg = Math.abs(measure.skewDeg) >= MIN_DESKEW_DEG ? measure.skewDeg : 0;
  const wanted = measure.lineHeightPx ? TARGET_LINE_PX / measure.lineHeightPx : 1;
  const scale = roundScale(Math.min(MAX_UPSCALE, wanted), width, height);
  const denoise = measure.noise >= NOISY_FROM;
  if (deskewDeg === 0 && scale === 1 && !denoise) return undefined;
  return { deskewDeg, scale, denoise };
}

/**
 * The plan for a second reading after an unsure first one. Tesseract's line finder and its choice of
 * language per line change with the text's size, so the second reading is at another size: the cleaned
 * page RETRY_SCALE times larger (smaller if it cannot grow), or a page read as it was, cleaned and doubled.
 */
export function retryPlan(first: CleanupPlan | undefined, width: number, height: number): CleanupPlan | undefined {
  if (!first) return { deskewDeg: 0, scale: roundScale(2, width, height), denoise: true };
  const larger = roundScale(first.scale * RETRY_SCALE, width, height);
  if (larger > first.scale) return { ...first, scale: larger };
  const smaller = roundScale(first.scale / RETRY_SCALE, width, height);
  return smaller < first.scale ? { ...first, scale: smaller } : undefined;
}

/** A factor of at least 1 that keeps the page within MAX_SIDE, to one decimal; under 1.2 is not worth resampling. */
function roundScale(scale: number, width: number, height: number): number {
  const fitting = Math.min(scale, MAX_SIDE / Math.max(width, height));
  return fitting >= 1.2 ? Math.floor(fitting * 10) / 10 : 1;
}

/** The page straightened, enlarged and binarised as planned, as a PNG. */
export async function cleanScan(image: Buffer, plan: CleanupPlan): Promise<Buffer> {
  // Each step is its own pipeline: sharp would otherwise resize before rotating, and rotate changes the size.
  const step = (page: sharp.Sharp) => page.png({ compressionLevel: 0 }).toBuffer();
  let page = await step(sharp(image).greyscale());
  if (plan.deskewDeg !== 0) page = await step(sharp(page).rotate(-plan.deskewDeg, { background: '#ffffff' }));
  if (plan.scale > 1) {
    const { width = 0 } = await sharp(page).metadata();
    page = await step(sharp(page).resize({ width: Math.round(width * plan.scale), kernel: 'lanczos3' }));
  }
  // A median over about a stroke's width removes speckle and keeps edges, so the thin horizontal strokes of
  // Song (serif) Chinese survive; a Gaussian blur of the same reach merges them into the noise.
  const smoothed = plan.denoise ? sharp(page).median(2 * Math.round(plan.scale) + 1) : sharp(page);
  const { data, info } = await smoothed.greyscale().raw().toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: info }).threshold(otsuThreshold(data)).png({ compressionLevel: 1 }).toBuffer();
}

/** Otsu's threshold: the grey level that best separates ink from paper. */
export function otsuThreshold(data: Uint8Array): number {
  const histogram = new Float64Array(256);
  for (const value of data) histogram[value]!++;
  let total = 0;
  for (let i = 0; i < 256; i++) total += i * histogram[i]!;
  let below = 0;
  let belowSum = 0;
  let best = -1;
  let threshold = 128;
  for (let i = 0; i < 256; i++) {
    below += histogram[i]!;
    if (below === 0) continue;
    const above = data.length - below;
    if (above === 0) break;
    belowSum += i * histogram[i]!;
    const between = below * above * (belowSum / below - (total - belowSum) / above) ** 2;
    if (between > best) {
      best = between;
      threshold = i;
    }
  }
  return threshold;
}

interface Ink {
  xs: Int32Array;
  ys: Int32Array;
  width: number;
  height: number;
}

function inkPixels(data: Uint8Array, width: number, threshold: number): Ink {
  const height = data.length / width;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! <= threshold) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  return { xs: Int32Array.from(xs), ys: Int32Array.from(ys), width, height };
}

/**
 * The angle whose row profile is sharpest: sheared by the text's own skew, the ink of each line falls into
 * the same few rows and the sum of squared row counts peaks (the classic projection-profile method).
 */
function bestSkew(ink: Ink): { skewDeg: number; profile: Float64Array } {
  const margin = Math.ceil(ink.width * Math.tan((MAX_SKEW_DEG * Math.PI) / 180)) + 1;
  const sharpness = (degrees: number) => {
    const slope = Math.tan((degrees * Math.PI) / 180);
    const profile = new Float64Array(ink.height + 2 * margin);
    for (let i = 0; i < ink.xs.length; i++) profile[Math.round(ink.ys[i]! - ink.xs[i]! * slope) + margin]!++;
    let score = 0;
    for (const count of profile) score += count * count;
    return { degrees, score, profile };
  };
  const best = (angles: number[]) =>
    angles
      .map(sharpness)
      .reduce((a, b) => (b.score > a.score || (b.score === a.score && Math.abs(b.degrees) < Math.abs(a.degrees)) ? b : a));
  // Coarse steps over the whole range, then fine steps around the best (ties keep the smallest angle: a blank page is not turned).
  const steps = (from: number, to: number, step: number) =>
    Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.round((from + i * step) * 10) / 10);
  const coarse = best(steps(-MAX_SKEW_DEG, MAX_SKEW_DEG, COARSE_SKEW_STEP_DEG));
  const fine = best(steps(coarse.degrees - COARSE_SKEW_STEP_DEG, coarse.degrees + COARSE_SKEW_STEP_DEG, SKEW_STEP_DEG));
  return { skewDeg: fine.degrees, profile: fine.profile };
}

/** Median height of the runs of rows that hold a line's ink (rows with at least a tenth of the busiest row's ink). */
function medianLineHeight(profile: Float64Array): number | undefined {
  const busiest = Math.max(0, ...profile);
  if (busiest === 0) return undefined;
  const heights: number[] = [];
  let run = 0;
  for (const count of [...profile, 0]) {
    if (count >= busiest / 10) run++;
    else if (run > 0) {
      // A run of one or two rows is a rule or speckle, not a line of text.
      if (run > 2) heights.push(run);
      run = 0;
    }
  }
  if (heights.length === 0) return undefined;
  heights.sort((a, b) => a - b);
  return heights[Math.floor(heights.length / 2)];
}

/** How far paper pixels stray from their four neighbours' mean, on every eighth row (noise, not ink edges: all five must be paper). */
function paperNoise(data: Uint8Array, width: number, height: number, threshold: number): number {
  let sum = 0;
  let count = 0;
  const paper = (i: number) => data[i]! > threshold;
  for (let y = 1; y < height - 1; y += 8) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!paper(i) || !paper(i - 1) || !paper(i + 1) || !paper(i - width) || !paper(i + width)) continue;
      sum += Math.abs(data[i]! - (data[i - 1]! + data[i + 1]! + data[i - width]! + data[i + width]!) / 4);
      count++;
    }
  }
  return count ? sum / count : 0;
}
