interface ImportMetaEnv {
  /** True only in the benchmark build (KESHER_BENCH=1). */
  readonly KESHER_BENCH: boolean;
}

declare module '*.css?inline' {
  const css: string;
  export default css;
}
