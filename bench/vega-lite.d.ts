// vega-lite declares its types only under "exports", which this project's module resolution (node10)
// does not read: point the package name at them.
declare module "vega-lite" {
  export * from "vega-lite/build/index";
}
