import { InitialSchema1795737600000 } from './1795737600000-InitialSchema';

/** Every migration, in order. Listed explicitly so that the built app and the tests load the same set. */
export const ALL_MIGRATIONS = [InitialSchema1795737600000];
