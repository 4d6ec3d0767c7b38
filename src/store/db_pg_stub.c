/* Until the PostgreSQL driver lands: a PostgreSQL URL is refused. */
#include "store/db_int.h"

static int pg_open(const char *target, int flags, struct db **out,
		   struct error *e)
{
	(void)flags;
	*out = NULL;
	return error_set(e, ERR_USAGE, "cannot open %s: this cadre is built "
			 "without PostgreSQL", target);
}

const struct db_driver db_pg_driver = {
	.engine = DB_POSTGRES,
	.open = pg_open,
};
