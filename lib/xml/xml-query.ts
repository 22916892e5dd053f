import 'server-only'
import { hasElementOnlyContent, isElement, isWhitespaceOnly, type XmlElement, type XmlNode } from '@/lib/xml/xml-tree'

/* Reading and editing helpers for the tree of xml-tree.ts. Editing helpers mutate in place. */

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => isElement(c) && (name === undefined || c.name === name))
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => isElement(c) && c.name === name)
}

export function getAttribute(el: XmlElement, name: string): string | undefined {
  return el.attributes.find((a) => a.name === name)?.value
}

/**
 * Sets an attribute, keeping its position when it exists. A new attribute goes before the first
 * existing attribute named in `before` (to follow libvirt's attribute order), else at the end.
 */
export function setAttribute(el: XmlElement, name: string, value: string, before: readonly string[] = []): void {
  const existing = el.attributes.find((a) => a.name === name)
  if (existing) {
    existing.value = value
    return
  }
  const at = el.attributes.findIndex((a) => before.includes(a.name))
  el.attributes.splice(at < 0 ? el.attributes.length : at, 0, { name, value })
}

export function removeAttribute(el: XmlElement, name: string): void {
  el.attributes = el.attributes.filter((a) => a.name !== name)
}

/** Concatenated text and CDATA of the element and its descendants (like DOM textContent). */
export function textContent(node: XmlNode): string {
  if (node.type === 'text' || node.type === 'cdata') return node.value
  if (node.type !== 'element') return ''
  return node.children.map(textContent).join('')
}

/**
 * Inserts `child` at `index` among `parent.children`. If the parent only held indentation-like
 * whitespace (libvirt 9.0 writes an empty <ip> as "<ip ...>\n  </ip>"), that whitespace is dropped
 * so the parent becomes element-only content and renders indented, not inline.
 */
export function insertChild(parent: XmlElement, index: number, child: XmlNode): void {
  parent.children.splice(index, 0, child)
  if (isElement(child) && hasElementOnlyContent(parent)) {
    parent.children = parent.children.filter((c) => !(c.type === 'text' && isWhitespaceOnly(c.value)))
  }
}

export function appendChild(parent: XmlElement, child: XmlNode): void {
  insertChild(parent, parent.children.length, child)
}

export function removeChild(parent: XmlElement, child: XmlNode): void {
  parent.children = parent.children.filter((c) => c !== child)
}

export function replaceChild(parent: XmlElement, oldChild: XmlNode, newChild: XmlNode): void {
  parent.children = parent.children.map((c) => (c === oldChild ? newChild : c))
}

/**
 * Namespace URI of `target` (an element somewhere under `root`), resolved from the xmlns
 * declarations in scope. undefined for no namespace, for an unbound prefix, or if target is not under root.
 */
export function namespaceUriOf(root: XmlElement, target: XmlElement): string | undefined {
  const path = pathTo(root, target)
  if (!path) return undefined
  const colon = target.name.indexOf(':')
  const attribute = colon < 0 ? 'xmlns' : `xmlns:${target.name.slice(0, colon)}`
  for (let i = path.length - 1; i >= 0; i--) {
    const value = getAttribute(path[i] as XmlElement, attribute)
    if (value !== undefined) return value === '' ? undefined : value
  }
  return undefined
}

function pathTo(from: XmlElement, target: XmlElement): XmlElement[] | undefined {
  if (from === target) return [from]
  for (const child of childElements(from)) {
    const rest = pathTo(child, target)
    if (rest) return [from, ...rest]
  }
  return undefined
}
