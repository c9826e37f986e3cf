import { type Kysely, sql } from "kysely";
import type { Database } from "../../storage/schema.js";

/** What /ready reports: a node is ready when its database answers. */
export function createHealth({ db }: { db: Kysely<Database> }) {
  return {
    async databaseAnswers(): Promise<boolean> {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
  };
}
