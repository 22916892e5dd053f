import 'server-only'

/*
 * A small, lossless XML document model. It keeps what libvirt documents can contain (ordered
 * attributes, text, comments, CDATA, processing instructions, prefixed names) so that content
 * this app does not understand survives an edit. Namespace declarations stay ordinary
 * attributes (`xmlns`, `xmlns:foo`) exactly where they were written; `namespaceUriOf` resolves them.
 *
 * Whitespace: text that only indents element children is not kept (the renderer re-creates the
 * indentation), so documents with different indentation parse to the same tree. Any other text,
 * including whitespace-only text of a leaf element such as libvirt's `<ip ...>\n  </ip>`, is kept.
 */

export type XmlAttribute = { name: string; value: string }

export type XmlElement = {
  type: 'element'
  /** Qualified name as written, e.g. `ip` or `dnsmasq:option`. */
  name: string
  attributes: XmlAttribute[]
  children: XmlNode[]
}

export type XmlText = { type: 'text'; value: string }
export type XmlCData = { type: 'cdata'; value: string }
export type XmlComment = { type: 'comment'; value: string }
export type XmlProcessingInstruction = { type: 'pi'; target: string; data: string }

export type XmlNode = XmlElement | XmlText | XmlCData | XmlComment | XmlProcessingInstruction

/** Nodes allowed outside the root element. */
export type XmlMiscNode = XmlComment | XmlProcessingInstruction

export type XmlDocument = {
  /** Pseudo-attributes of `<?xml ...?>` if the input had one (libvirt never writes it). */
  declaration?: XmlAttribute[]
  /** Comments / PIs before the root, e.g. the "AUTO-GENERATED FILE" banner of libvirt's config files. */
  prolog: XmlMiscNode[]
  root: XmlElement
  epilog: XmlMiscNode[]
}

export function element(
  name: string,
  attributes: Record<string, string | undefined> = {},
  children: XmlNode[] = [],
): XmlElement {
  const attrs: XmlAttribute[] = []
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) attrs.push({ name: key, value })
  return { type: 'element', name, attributes: attrs, children }
}

export function text(value: string): XmlText {
  return { type: 'text', value }
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node?.type === 'element'
}

/** Deep copy, so edits on the result never reach the original. */
export function cloneNode<T extends XmlNode>(node: T): T {
  if (node.type !== 'element') return { ...node }
  return {
    type: 'element',
    name: node.name,
    attributes: node.attributes.map((a) => ({ ...a })),
    children: node.children.map(cloneNode),
  } as T
}

export function cloneDocument(doc: XmlDocument): XmlDocument {
  return {
    ...(doc.declaration ? { declaration: doc.declaration.map((a) => ({ ...a })) } : {}),
    prolog: doc.prolog.map(cloneNode),
    root: cloneNode(doc.root),
    epilog: doc.epilog.map(cloneNode),
  }
}

export function isWhitespaceOnly(value: string): boolean {
  return /^[ \t\r\n]*$/.test(value)
}

/**
 * True when `el`'s text children only indent its other children: no CDATA, no text with
 * content, and at least one element/comment/PI child. Parser and renderer share this rule so
 * that render → parse gives back the same tree.
 */
export function hasElementOnlyContent(el: XmlElement): boolean {
  let structural = false
  for (const child of el.children) {
    if (child.type === 'cdata') return false
    if (child.type === 'text') {
      if (!isWhitespaceOnly(child.value)) return false
    } else {
      structural = true
    }
  }
  return structural
}
