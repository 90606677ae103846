/** The part of s3rver (a local S3-compatible server, test only) that the backup tests use. */
declare module 's3rver' {
  interface S3rverOptions { port?: number; address?: string; silent?: boolean; directory: string; configureBuckets?: Array<{ name: string; configs?: unknown[] }> }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
