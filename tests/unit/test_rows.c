/* The store's hand-written queries: rows_each() and store_may_see(). */
#include "helpers.h"

#include "store/access.h"
#include "store/actions.h"
#include "store/rows_int.h"

static const char two_rows[] =
	"SELECT 1, NULL, 'x' UNION ALL SELECT 2, 'y', NULL";

struct seen {
	struct store *s;
	int rows, nested;
	char cells[2][3][8];
	int nulls[2][3];
};

static int keep(void *arg, const char *const *col, size_t n)
{
	struct seen *x = arg;

	cr_assert_eq(n, 3);
	for (size_t c = 0; c < n; c++) {
		x->nulls[x->rows][c] = !col[c];
		snprintf(x->cells[x->rows][c], 8, "%s", col[c] ? col[c] : "");
	}
	x->rows++;
	return 0;
}

Test(rows, each_reads_every_row_and_null_as_null)
{
	struct store *s = open_scratch(NULL);
	struct seen x = { s, 0, 0, { { "" } }, { { 0 } } };
	struct error e;

	error_init(&e);
	cr_assert_eq(rows_each(s, two_rows, NULL, 0, keep, &x, &e), 0);
	cr_assert_eq(x.rows, 2);
	cr_assert_str_eq(x.cells[0][0], "1");
	cr_assert(x.nulls[0][1] && !x.nulls[0][2]);
	cr_assert_str_eq(x.cells[1][1], "y");
	cr_assert(x.nulls[1][2]);
	store_close(s);
}

static int again(void *arg, const char *const *col, size_t n)
{
	struct seen *x = arg;
	struct seen inner = { x->s, 0, 0, { { "" } }, { { 0 } } };
	struct error e;

	(void)col;
	(void)n;
	error_init(&e);
	/* The same statement again, from inside its own callback. */
	cr_assert_eq(rows_each(x->s, two_rows, NULL, 0, keep, &inner, &e), 0);
	x->nested += inner.rows;
	return ++x->rows == 2 ? 7 : 0;
}

Test(rows, a_callback_may_run_the_same_query_and_stop)
{
	struct store *s = open_scratch(NULL);
	struct seen x = { s, 0, 0, { { "" } }, { { 0 } } };
	struct error e;

	error_init(&e);
	cr_assert_eq(rows_each(s, two_rows, NULL, 0, again, &x, &e), 7);
	cr_assert_eq(x.rows, 2);
	cr_assert_eq(x.nested, 4);
	store_close(s);
}

Test(rows, may_see_follows_the_markings)
{
	struct store *s = open_scratch(NULL);
	const struct kind *k = kind_find("nations");
	struct principal ns = { .login = "j3", .role = ROLE_COMMANDER,
				.clearance = 3 };
	struct error e;

	error_init(&e);
	put_raw(s, "nations", "code", "CAN", "name", "Canada", NULL);
	put_raw(s, "nations", "code", "XXX", "name", "Secret",
		"classification", "CTS", NULL);
	cr_assert_eq(store_may_see(s, &ns, k, "CAN", &e), 1);
	cr_assert_eq(store_may_see(s, &ns, k, "XXX", &e), 0);
	cr_assert_eq(store_may_see(s, &ns, k, "NONE", &e), 0);
	cr_assert_eq(store_may_see(s, &principal_system, k, "XXX", &e), 1);
	store_close(s);
}
