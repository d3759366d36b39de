// The `Response` a `fetch` answers with, typed structurally so the published declarations need
// no DOM lib. A leaf module: the loaders (source.ts) and core.ts both use it.

/** The consumer's `Response` type, else the part of it this library reads. */
export type ResponseLike = typeof globalThis extends { Response: { prototype: infer T } }
  ? T
  : {
      readonly status: number;
      readonly type?: string;
      readonly headers: { get(name: string): string | null };
      arrayBuffer(): Promise<ArrayBuffer>;
    };
