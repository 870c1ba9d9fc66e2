/** snappyjs ships no types; these are the two functions of its index.js (snappy block format). */
declare module 'snappyjs' {
  /** Inflates a snappy block; throws when the declared length exceeds `maxLength`. Returns the input's type. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
}
