/* util/keyset: the importer's set of keys seen, with their lines. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "util/keyset.h"

Test(keyset, tells_a_new_key_from_one_seen_before)
{
	struct keyset ks;
	long first = 0;

	cr_assert_eq(keyset_init(&ks), 0);
	cr_assert_eq(keyset_add(&ks, "NCO-JLC/2026-11-17/BX-1", 23, 2, &first), 1);
	cr_assert_eq(keyset_add(&ks, "NCO-JLC/2026-11-17/BX-2", 23, 3, &first), 1);
	cr_assert_eq(keyset_add(&ks, "NCO-JLC/2026-11-17/BX-1", 23, 9, &first), 0);
	cr_assert_eq(first, 2, "the line it was first seen on");
	cr_assert_eq(keyset_count(&ks), 2);
	keyset_release(&ks);
	keyset_release(&ks);	/* idempotent */
	keyset_release(NULL);
}

Test(keyset, compares_bytes_not_c_strings)
{
	struct keyset ks;
	long first = 0;

	cr_assert_eq(keyset_init(&ks), 0);
	cr_assert_eq(keyset_add(&ks, "", 0, 1, &first), 1);
	cr_assert_eq(keyset_add(&ks, "a\0b", 3, 2, &first), 1);
	cr_assert_eq(keyset_add(&ks, "a\0c", 3, 3, &first), 1);
	cr_assert_eq(keyset_add(&ks, "a", 1, 4, &first), 1);
	cr_assert_eq(keyset_add(&ks, "", 0, 5, &first), 0);
	cr_assert_eq(first, 1);
	cr_assert_eq(keyset_add(&ks, "a\0c", 3, 6, &first), 0);
	cr_assert_eq(first, 3);
	keyset_release(&ks);
}

Test(keyset, keeps_every_key_as_it_grows)
{
	struct keyset ks;
	char key[32];
	long first;

	cr_assert_eq(keyset_init(&ks), 0);
	for (long i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof(key), "BX-%07ld", i);

		cr_assert_eq(keyset_add(&ks, key, (size_t)n, i, &first), 1);
	}
	cr_assert_eq(keyset_count(&ks), 100000);
	for (long i = 0; i < 100000; i += 7) {
		int n = snprintf(key, sizeof(key), "BX-%07ld", i);

		first = -1;
		cr_assert_eq(keyset_add(&ks, key, (size_t)n, -2, &first), 0);
		cr_assert_eq(first, i);
	}
	cr_assert_eq(keyset_count(&ks), 100000);
	keyset_release(&ks);
	cr_assert_eq(keyset_init(&ks), 0);
	cr_assert_eq(keyset_add(&ks, "BX-0000001", 10, 1, &first), 1, "reusable");
	keyset_release(&ks);
}
