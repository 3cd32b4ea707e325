import JSZip from 'jszip';
import { IngestError, type Section } from '../types.js';
import { asClause, oneLineMessage } from './error-message.js';
import type { DocumentLoader, LoadContext } from './loader.js';
import { normalizeWhitespace } from './normalize.js';
import { attributesOf, childrenOf, findAll, localName, readRelationships, readXmlPart, textOf, type XmlNode } from './ooxml.js';
import { assertZipIsSafe } from './zip-guard.js';

const PRESENTATION = 'ppt/presentation.xml';

/** Placeholders whose text is furniture, not content: slide number, date, the slide thumbnail on a notes page. */
const FURNITURE_PLACEHOLDERS = new Set(['sldNum', 'dt', 'sldImg', 'hdr']);

/** One section per slide in presentation order, `location.slide` 1-based, speaker notes appended as "Notes: …". */
export class PptxLoader implements DocumentLoader {
  readonly kind = 'pptx' as const;

  async load(bytes: Uint8Array, ctx: LoadContext): Promise<Section[]> {
    await assertZipIsSafe(bytes, ctx.limits);
    try {
      const zip = await JSZip.loadAsync(bytes);
      const slidePaths = await slidesInOrder(zip);
      if (slidePaths.length > ctx.limits.maxSlides) {
        throw new IngestError('failed', `too many slides (${slidePaths.length} > ${ctx.limits.maxSlides})`);
      }
      const sections: Section[] = [];
      for (const [index, slidePath] of slidePaths.entries()) {
        const text = normalizeWhitespace(await slideText(zip, slidePath));
        if (text) sections.push({ text, location: { slide: index + 1 } });
      }
      if (sections.length === 0) throw new IngestError('skipped', 'empty document: no text found');
      return sections;
    } catch (error) {
      if (error instanceof IngestError) throw error;
      throw new IngestError('failed', `damaged PowerPoint presentation: ${asClause(oneLineMessage(error))}`);
    }
  }
}

/** Slide part paths in the order of the presentation's slide list (file names do not give the order). */
async function slidesInOrder(zip: JSZip): Promise<string[]> {
  const presentation = await readXmlPart(zip, PRESENTATION);
  if (!presentation) throw new Error('ppt/presentation.xml is missing');
  const relationships = await readRelationships(zip, PRESENTATION);
  const paths: string[] = [];
  for (const slideId of findAll(findAll(presentation, 'sldIdLst'), 'sldId')) {
    const relationshipId = relationshipIdOf(slideId);
    const target = relationshipId ? relationships.get(relationshipId)?.target : undefined;
    if (target && zip.file(target)) paths.push(target);
  }
  return paths;
}

/** The slide's shapes, groups and tables in drawing order, then its speaker notes. */
async function slideText(zip: JSZip, slidePath: string): Promise<string> {
  const slide = (await readXmlPart(zip, slidePath)) ?? [];
  const blocks = shapeBlocks(slide, () => true);
  const notesPath = [...(await readRelationships(zip, slidePath)).values()].find((rel) => rel.type.endsWith('/notesSlide'))?.target;
  const notes = notesPath ? await readXmlPart(zip, notesPath) : undefined;
  if (notes) {
    // On a notes page only the notes body is the speaker's text.
    const noteText = shapeBlocks(notes, (type) => type === 'body' || type === 'obj').join('\n');
    if (noteText.trim()) blocks.push(`Notes: ${noteText}`);
  }
  return blocks.join('\n\n');
}

/**
 * Text blocks of a shape tree: one per text shape (its paragraphs on separate lines) and one per table
 * (rows with cells joined by " | "). Groups are walked recursively. `keepPlaceholder` decides by placeholder type.
 */
function shapeBlocks(nodes: XmlNode[], keepPlaceholder: (type: string) => boolean): string[] {
  const blocks: string[] = [];
  const visit = (list: XmlNode[]): void => {
    for (const node of list) {
      const name = localName(node);
      if (name === 'sp') {
        const type = placeholderType(node);
        if (type !== undefined && (FURNITURE_PLACEHOLDERS.has(type) || !keepPlaceholder(type))) continue;
        if (type === undefined && !keepPlaceholder('')) continue;
        blocks.push(findAll(childrenOf(node), 'p').map(paragraphText).join('\n'));
      } else if (name === 'tbl') {
        blocks.push(tableRows(node).join('\n'));
      } else if (name === 'AlternateContent') {
        // The same content in two forms: read the preferred one only.
        const choice =
          childrenOf(node).find((child) => localName(child) === 'Choice') ??
          childrenOf(node).find((child) => localName(child) === 'Fallback');
        if (choice) visit(childrenOf(choice));
      } else if (name !== undefined) {
        visit(childrenOf(node)); // spTree, grpSp, graphicFrame, graphic, graphicData, …
      }
    }
  };
  visit(nodes);
  return blocks.filter((block) => block.trim() !== '');
}

/** Runs, fields and line breaks of one paragraph (a:p). */
function paragraphText(paragraph: XmlNode): string {
  let text = '';
  const visit = (list: XmlNode[]): void => {
    for (const node of list) {
      const name = localName(node);
      if (name === 't')
        text += childrenOf(node)
          .map((child) => textOf(child) ?? '')
          .join('');
      else if (name === 'br') text += '\n';
      else if (name === 'r' || name === 'fld') visit(childrenOf(node));
    }
  };
  visit(childrenOf(paragraph));
  return text;
}

function tableRows(table: XmlNode): string[] {
  return findAll(childrenOf(table), 'tr')
    .map((row) =>
      findAll(childrenOf(row), 'tc')
        .map((cell) => findAll(childrenOf(cell), 'p').map(paragraphText).join(' ').trim())
        .join(' | '),
    )
    .filter((row) => row.replace(/[\s|]/g, '') !== '');
}

/** The `type` of a shape's placeholder ("obj", the schema default, when it has none), or undefined for a plain shape. */
function placeholderType(shape: XmlNode): string | undefined {
  const nonVisual = childrenOf(shape).find((child) => localName(child) === 'nvSpPr');
  const placeholder = nonVisual ? findAll(childrenOf(nonVisual), 'ph')[0] : undefined;
  return placeholder ? (attributesOf(placeholder)['type'] ?? 'obj') : undefined;
}

function relationshipIdOf(node: XmlNode): string | undefined {
  const attributes = attributesOf(node);
  const key = Object.keys(attributes).find((name) => name.endsWith(':id'));
  return key ? attributes[key] : undefined;
}
