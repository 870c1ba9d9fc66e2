import type { PoolClient } from 'pg';

/** The part of pg's Connection a submittable query writes to. */
interface PgConnection {
  query(text: string): void;
  stream: NodeJS.WritableStream & { cork(): void; uncork(): void };
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

/**
 * `COPY ... FROM STDIN` (text format) of data already in memory, as a pg submittable: the query, every
 * CopyData message and CopyDone leave in one write, without waiting for the server's CopyInResponse
 * (one round trip through both event loops fewer per batch). The protocol allows it: a backend that
 * fails the COPY before or during copy-in ignores the CopyData/CopyDone that follow ("dropped" by the
 * server until the end of the copy), answers ErrorResponse, then ReadyForQuery.
 * Resolves with the row count PostgreSQL reports.
 */
export function copyIn(client: PoolClient, sql: string, chunks: string[]): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let rows = 0;
    const submittable = {
      // pg wraps this to implement query_timeout; calling it clears that timer.
      callback(err?: Error): void {
        void err;
      },
      submit(connection: PgConnection): void {
        connection.stream.cork();
        connection.query(sql);
        for (const chunk of chunks) {
          const data = Buffer.from(chunk, 'utf8');
          const header = Buffer.allocUnsafe(5);
          header[0] = 0x64; // 'd'
          header.writeUInt32BE(data.length + 4, 1);
          connection.stream.write(header);
          connection.stream.write(data);
        }
        connection.stream.write(COPY_DONE);
        connection.stream.uncork();
      },
      handleCopyInResponse(): void {},
      handleCommandComplete(msg: { text?: string }): void {
        rows = Number(/^COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0);
      },
      handleReadyForQuery(): void {
        this.callback();
        resolve(rows);
      },
      handleError(err: Error): void {
        this.callback(err);
        reject(err);
      },
      // A COPY FROM answers none of these; defined so that an unexpected message cannot crash pg.
      handleRowDescription(): void {},
      handleDataRow(): void {},
      handleEmptyQuery(): void {},
      handlePortalSuspended(): void {},
      handleCopyData(): void {},
    };
    (client as unknown as { query(q: object): void }).query(submittable);
  });
}
