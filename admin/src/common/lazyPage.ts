import { lazy, type ComponentType } from "react";

/**
 * A page loaded when first opened (react-admin's Layout suspends while it arrives): the sign-in
 * screen and the menu come in the first download; each resource's pages, and the charts of the
 * home page, in chunks of their own.
 */
export function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType<any>>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}
