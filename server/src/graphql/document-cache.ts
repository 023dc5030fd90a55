import { parse, type DocumentNode, type Source } from "graphql";

/**
 * Parsed GraphQL documents by source text, for graphql-ws. Every open subscription keeps its
 * document alive, and a parsed document with locations is some 5 KB of tokens; client apps
 * send the same few queries over and over, so 10,000 subscriptions can share one document
 * instead of holding 10,000 copies (documents are never mutated by execution). Bounded in
 * entries and in source length, so odd queries can't make it grow; parse errors are not kept.
 */
export function cachedParser(maxTokens: number, maxEntries = 500, maxSourceLength = 10_000): (source: string | Source) => DocumentNode {
  const cache = new Map<string, DocumentNode>();
  return (input) => {
    if (typeof input !== "string") return parse(input, { maxTokens });
    const source = input;
    const hit = cache.get(source);
    if (hit) return hit;
    const document = parse(source, { maxTokens });
    if (source.length <= maxSourceLength) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(source, document);
    }
    return document;
  };
}
