import path from 'node:path';

/** Files known by their whole name rather than an extension. */
const BARE_NAMES = new Set(['makefile', 'dockerfile', 'jenkinsfile', 'gemfile', 'rakefile', 'procfile', 'vagrantfile', 'containerfile']);

/** "Report.Final.PDF" -> "pdf"; "Makefile" -> "makefile" (a known name acts as its extension); "notes" -> "". */
export function extensionOf(fileName: string): string {
  const base = path.basename(fileName.replace(/\\/g, '/'));
  const dot = base.lastIndexOf('.');
  if (dot > 0) return base.slice(dot + 1).toLowerCase();
  const lower = base.toLowerCase();
  return BARE_NAMES.has(lower) ? lower : '';
}

/** "data/sales.2024.csv" -> "sales.2024". */
export function baseNameWithoutExtension(fileName: string): string {
  const base = path.basename(fileName.replace(/\\/g, '/'));
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
