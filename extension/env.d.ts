interface ImportMetaEnv {
  /** True only in the benchmark build (KESHER_BENCH=1). */
  readonly KESHER_BENCH: boolean;
  /** True only in the end-to-end test build (KESHER_E2E=1): Gmail pages are also read on 127.0.0.1/gmail/. */
  readonly KESHER_E2E: boolean;
}

declare module '*.css?inline' {
  const css: string;
  export default css;
}
