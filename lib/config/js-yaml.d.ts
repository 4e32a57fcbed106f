// js-yaml 4 ships no type declarations (and @types/js-yaml is not installed): the one function the
// project uses, returning unknown so that callers check the shape of what they read.
declare module "js-yaml" {
  export function load(text: string, options?: { filename?: string }): unknown;
}
