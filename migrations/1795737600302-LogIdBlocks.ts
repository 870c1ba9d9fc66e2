import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log ids in blocks of 10,000: the writer takes one `nextval` per block and numbers the rows itself, so a
 * batch can be written with COPY (which cannot return generated ids) and still be announced to the live
 * tail by id. Ids stay unique across replicas (each block belongs to one caller); a row inserted with the
 * column default simply uses the first id of a block of its own. Existing ids are below the next block.
 */
export class LogIdBlocks1795737600302 implements MigrationInterface {
  name = 'LogIdBlocks1795737600302';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER SEQUENCE logs_id_seq INCREMENT BY 10000`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`ALTER SEQUENCE logs_id_seq INCREMENT BY 1`);
  }
}
