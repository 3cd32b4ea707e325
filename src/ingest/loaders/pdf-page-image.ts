import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Scans are usually 200-300 dpi; rendering at 300 keeps their detail for OCR. */
const RENDER_DPI = 300;
/** A page is rendered at no more than this many pixels (an A4 page at 300 dpi is 8.7 MP): a page declared huge costs no more. */
const MAX_RENDER_PIXELS = 16_000_000;

const IMAGE_OPS = new Set<number>([
  OPS.paintImageXObject,
  OPS.paintInlineImageXObject,
  OPS.paintInlineImageXObjectGroup,
  OPS.paintImageXObjectRepeat,
  OPS.paintImageMaskXObject,
  OPS.paintImageMaskXObjectGroup,
  OPS.paintImageMaskXObjectRepeat,
]);

/** Whether the page draws an image: a page with neither text nor images is blank, not scanned. */
export async function pageHasImages(page: PDFPageProxy): Promise<boolean> {
  const operators = await page.getOperatorList();
  return operators.fnArray.some((op) => IMAGE_OPS.has(op));
}

/** The page rendered to a PNG on white, at RENDER_DPI or less (MAX_RENDER_PIXELS). */
export async function renderPage(document: PDFDocumentProxy, page: PDFPageProxy): Promise<Buffer> {
  const base = page.getViewport({ scale: 1 }); // 72 dpi
  const scale = Math.min(RENDER_DPI / 72, Math.sqrt(MAX_RENDER_PIXELS / (base.width * base.height)));
  const viewport = page.getViewport({ scale });
  const factory = document.canvasFactory as CanvasFactory;
  const target = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  try {
    await page.render({ canvas: target.canvas as never, canvasContext: target.context as never, viewport, background: '#ffffff' }).promise;
    return await target.canvas.encode('png');
  } finally {
    factory.destroy(target);
  }
}

/** pdfjs's Node canvas factory hands out @napi-rs/canvas canvases. */
interface CanvasFactory {
  create(width: number, height: number): { canvas: { encode(format: 'png'): Promise<Buffer> }; context: unknown };
  destroy(target: unknown): void;
}
