/**
 * A strict, small XML well-formedness parser for the documents the gateway renders (TwiML):
 * one root, balanced tags, quoted attributes, only the five predefined entities and numeric
 * references, no stray `<` or `&`. Throws on anything else; returns the element tree.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: Array<XmlElement | string>;
}

const ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/g;
const NAME = "[A-Za-z_][\\w.:-]*";
const TOKEN = new RegExp(
  `(<\\?xml(?:\\s+${NAME}="[^"]*")*\\s*\\?>)|<\\/(${NAME})\\s*>|<(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(\\/?)>|([^<]+)`,
  "y",
);

function decode(s: string, where: string): string {
  if (s.replace(ENTITY, "").includes("&")) throw new Error(`bare & in ${where}: ${s}`);
  return s.replace(ENTITY, (e) => {
    const named: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e[2] === "x" ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10));
  });
}

export function parseXml(doc: string): XmlElement {
  const root: XmlElement = { name: "#document", attrs: {}, children: [] };
  const stack = [root];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let sawDeclaration = false;
  while (TOKEN.lastIndex < doc.length) {
    const at = TOKEN.lastIndex;
    m = TOKEN.exec(doc);
    if (!m) throw new Error(`not well-formed XML at ${at}: ${doc.slice(at, at + 40)}`);
    const [, decl, close, open, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1];
    if (decl) {
      if (at !== 0 || sawDeclaration) throw new Error("XML declaration not at the start");
      sawDeclaration = true;
    } else if (close) {
      if (top.name !== close) throw new Error(`</${close}> closes <${top.name}>`);
      stack.pop();
    } else if (open) {
      if (stack.length === 1 && root.children.some((c) => typeof c !== "string")) throw new Error("more than one root element");
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(new RegExp(`(${NAME})\\s*=\\s*"([^"<]*)"`, "g"))) {
        if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1]] = decode(a[2], `attribute ${a[1]}`);
      }
      const el: XmlElement = { name: open, attrs, children: [] };
      top.children.push(el);
      if (!selfClose) stack.push(el);
    } else if (text !== undefined) {
      if (stack.length === 1 && text.trim()) throw new Error("text outside the root element");
      top.children.push(decode(text, `<${top.name}>`));
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  const elements = root.children.filter((c): c is XmlElement => typeof c !== "string");
  if (elements.length !== 1) throw new Error("no root element");
  return elements[0];
}

/** The text of an element and its descendants. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");
}
