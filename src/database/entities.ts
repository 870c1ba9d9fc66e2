/**
 * Every TypeORM entity of the app. Most SQL that matters is written by hand in repository classes; the
 * entities serve the simple CRUD tables.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ENTITIES: Function[] = [];
