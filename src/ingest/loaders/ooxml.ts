import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type JSZip from 'jszip';

/**
 * Small helpers for reading Office Open XML parts: an order-preserving XML tree (text order matters),
 * and the relationship files that link parts together.
 */

/** One node of fast-xml-parser's order-preserving output: `{ tag: children, ':@': attributes }` or `{ '#text': text }`. */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false, // "Hello " + "world" are separate runs: trimming would glue the words
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true, // also decode numeric character references (&#x4e2d;)
});

export function parseXml(xml: string): XmlNode[] {
  return parser.parse(xml) as XmlNode[];
}

/** The element name of a node without its namespace prefix ("a:p" -> "p"), or undefined for text. */
export function localName(node: XmlNode): string | undefined {
  const tag = Object.keys(node).find((key) => key !== ':@');
  if (tag === undefined || tag === '#text') return undefined;
  return tag.slice(tag.indexOf(':') + 1);
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const tag = Object.keys(node).find((key) => key !== ':@');
  const children = tag === undefined ? undefined : node[tag];
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

export function attributesOf(node: XmlNode): Record<string, string> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

export function textOf(node: XmlNode): string | undefined {
  const text = node['#text'];
  return text === undefined ? undefined : String(text);
}

/** Depth-first search for elements with the given local name (not descending into matches). */
export function findAll(nodes: XmlNode[], name: string): XmlNode[] {
  const found: XmlNode[] = [];
  const visit = (list: XmlNode[]): void => {
    for (const node of list) {
      if (localName(node) === name) found.push(node);
      else visit(childrenOf(node));
    }
  };
  visit(nodes);
  return found;
}

export async function readXmlPart(zip: JSZip, partName: string): Promise<XmlNode[] | undefined> {
  const file = zip.file(partName);
  return file ? parseXml(await file.async('string')) : undefined;
}

export interface Relationship {
  type: string;
  /** Archive path of the target part, e.g. "ppt/slides/slide1.xml". */
  target: string;
}

/** The relationships of a part ("ppt/presentation.xml" -> "ppt/_rels/presentation.xml.rels"), by id. */
export async function readRelationships(zip: JSZip, partName: string): Promise<Map<string, Relationship>> {
  const relsPath = path.posix.join(path.posix.dirname(partName), '_rels', `${path.posix.basename(partName)}.rels`);
  const tree = await readXmlPart(zip, relsPath);
  const relationships = new Map<string, Relationship>();
  for (const node of findAll(tree ?? [], 'Relationship')) {
    const { Id: id, Type: type = '', Target: target, TargetMode: mode } = attributesOf(node);
    if (!id || !target || mode === 'External') continue;
    const resolved = target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(partName), target);
    relationships.set(id, { type, target: path.posix.normalize(resolved) });
  }
  return relationships;
}
