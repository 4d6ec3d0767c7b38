/*
 * Allocation failure on the import path: the n-th allocation of an
 * import fails, for every n until the import no longer reaches it. Each
 * time the import must fail with an error, leave no row and no audit
 * entry, and leave the store fit for the next import.
 *
 * cadre's own allocations are counted through the linker's --wrap (this
 * test is linked with -Wl,--wrap=malloc,... : tests/unit/meson.build);
 * SQLite's and jansson's through their allocator hooks.
 */
#include "helpers.h"

#include <jansson.h>

#include "core/csvio.h"

static long fail_at = -1;	/* the allocation (from 0) that fails; -1: none */
static long allocs;		/* counted since arm() */

static int fails(void)
{
	return fail_at >= 0 && allocs++ == fail_at;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n)
{
	return fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fails() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fails() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fails() ? NULL : __real_strndup(s, n);
}

/* SQLite's allocator, counted the same way. */
static sqlite3_mem_methods sqlite_mem;

static void *sq_malloc(int n)
{
	return fails() ? NULL : sqlite_mem.xMalloc(n);
}

static void *sq_realloc(void *p, int n)
{
	return fails() ? NULL : sqlite_mem.xRealloc(p, n);
}

static void hook_allocators(void)
{
	static sqlite3_mem_methods counted;

	sqlite3_shutdown();
	cr_assert_eq(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem), SQLITE_OK);
	counted = sqlite_mem;
	counted.xMalloc = sq_malloc;
	counted.xRealloc = sq_realloc;
	cr_assert_eq(sqlite3_config(SQLITE_CONFIG_MALLOC, &counted), SQLITE_OK);
	cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
	json_set_alloc_funcs(__wrap_malloc, free);
}

static const char nations[] = "code,name\nIRQ,Iraq\n";
static const char orgs[] =
	"code,name,kind,nation,valid_from\n"
	"IRQ-MOD,Ministry of Defence,host-ministry,IRQ,2019-01-01\n";
static const char trainees[] =
	"service_number,name,nation,unit,rank\n"
	"OOM-1,First trainee,IRQ,IRQ-MOD,Private\n"
	"OOM-2,\"Second, quoted\",IRQ,IRQ-MOD,Corporal\n"
	"OOM-3,Third trainee,IRQ,IRQ-MOD,\n";

static int import_text(struct store *s, const char *kind, const char *text,
		       struct error *e)
{
	struct import_opts o = { 0 };
	struct import_stats st;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	cr_assert_not_null(f);
	error_init(e);
	rc = import_csv(s, kind_find(kind), f, "t.csv", &o, &st, e);
	fclose(f);
	return rc;
}

/* A database holding a nation and an organisation for the trainees,
 * made once; each round opens a copy of it (copy_base()). */
static char *base_path;

static void make_base(void)
{
	struct store *s = open_scratch(&base_path);
	struct error e;

	cr_assert_eq(import_text(s, "nations", nations, &e), 0, "%s", e.message);
	error_release(&e);
	cr_assert_eq(import_text(s, "organisations", orgs, &e), 0, "%s", e.message);
	error_release(&e);
	store_close(s);		/* checkpoints: the main file is whole */
}

static struct store *copy_base(char *path, size_t n)
{
	struct store *s = NULL;
	struct error e;
	char cmd[1024];

	snprintf(path, n, "%s.round", base_path);
	/* With its audit key and head file (docs/audit.md). */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s.key' '%s.key' && "
		 "cp '%s.head' '%s.head'", base_path, path, base_path, path,
		 base_path, path);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	error_init(&e);
	cr_assert_eq(store_open(path, &s, &e), 0, "open: %s", e.message);
	store_set_actor(s, "tester");
	error_release(&e);
	return s;
}

static void remove_db(const char *path)
{
	char name[300];

	unlink(path);
	snprintf(name, sizeof(name), "%s-wal", path);
	unlink(name);
	snprintf(name, sizeof(name), "%s-shm", path);
	unlink(name);
	snprintf(name, sizeof(name), "%s.key", path);
	unlink(name);
	snprintf(name, sizeof(name), "%s.head", path);
	unlink(name);
}

Test(oom, every_allocation_of_an_import_may_fail, .init = hook_allocators,
     .timeout = 600)
{
	long n, failed = 0;
	char path[300];

	make_base();
	for (n = 0;; n++) {
		struct store *s = copy_base(path, sizeof(path));
		long long audit = sql_int(s, "SELECT count(*) FROM audit");
		struct error e;
		int rc;

		allocs = 0;
		fail_at = n;
		rc = import_text(s, "trainees", trainees, &e);
		fail_at = -1;
		if (allocs <= n) {	/* it no longer reaches allocation n */
			cr_assert_eq(rc, 0, "import without a failure: %s", e.message);
			cr_assert_eq(sql_int(s, "SELECT count(*) FROM trainee"), 3);
			error_release(&e);
			store_close(s);
			remove_db(path);
			break;
		}
		/* A failure may be absorbed (a cache it could do without);
		 * then the import is whole. */
		if (rc == 0) {
			cr_assert_eq(sql_int(s, "SELECT count(*) FROM trainee"), 3,
				     "allocation %ld failed: import half done", n);
		} else {
			failed++;
			cr_assert_neq(e.code, ERR_OK, "allocation %ld: no error code", n);
			cr_assert_eq(sql_int(s, "SELECT count(*) FROM trainee"), 0,
				     "allocation %ld failed: rows left", n);
			cr_assert_eq(sql_int(s, "SELECT count(*) FROM audit"), audit,
				     "allocation %ld failed: audit entries left", n);
			error_release(&e);
			/* and the store takes the next import whole */
			cr_assert_eq(import_text(s, "trainees", trainees, &e), 0,
				     "import after allocation %ld failed: %s", n,
				     e.message);
			cr_assert_eq(sql_int(s, "SELECT count(*) FROM trainee"), 3);
		}
		error_release(&e);
		store_close(s);
		remove_db(path);
	}
	remove_db(base_path);
	free(base_path);
	cr_log_info("%ld allocations on the import path, %ld failures refused", n,
		    failed);
	cr_assert_gt(n, 100, "the hooks count too few allocations (%ld)", n);
	cr_assert_gt(failed, n / 2, "most failures should end the import (%ld of %ld)",
		     failed, n);
}
