/* The SQLite driver's own handle, for what only SQLite has (its backup
 * API) and for the white-box tests. */
#ifndef CADRE_STORE_DB_SQLITE_H
#define CADRE_STORE_DB_SQLITE_H

#include <sqlite3.h>

struct db;

/* D's SQLite connection, or NULL when D is another engine's. */
sqlite3 *db_sqlite_handle(struct db *d);

/* Set SQLite up for the process, before any connection is opened. */
void db_sqlite_library_init(void);

#endif
