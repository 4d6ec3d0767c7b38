/*
 * A set of byte strings, each stored with a number: the importer keeps
 * every key of a file in one, with the line it was first seen on, to
 * refuse a key given twice.
 *
 * Keys are copied into the set's own storage; the caller's string is not
 * kept. Hashing is SipHash (libsodium's crypto_shorthash) under a key drawn
 * at keyset_init(), so that no input can be crafted to make keys collide
 * and the set slow. A set holds at most KEYSET_MAX keys.
 */
#ifndef CADRE_UTIL_KEYSET_H
#define CADRE_UTIL_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#define KEYSET_MAX ((size_t)1 << 30)

struct keyset {
	unsigned char seed[16];	/* crypto_shorthash key */
	/* Open addressing, linear probing: 0 empty, else 32 bits of the
	 * key's hash, then item + 1 in the low 32 bits. The hash bits place
	 * a slot and tell most keys apart without reading their item. */
	uint64_t *slots;
	size_t nslots;		/* a power of two, or 0 */
	struct keyset_item {
		size_t off;	/* into bytes */
		size_t len;
		long value;
	} *items;
	size_t nitems, capitems;
	char *bytes;		/* every key, one after the other */
	size_t nbytes, capbytes;
};

/* An empty set with a fresh hash key. Allocates nothing; -1 when
 * libsodium cannot start (no source of randomness). */
int keyset_init(struct keyset *ks);

/* Add the LEN bytes at KEY with VALUE: 1 when added, 0 when the key was
 * already there (*value_out then holds the value it was added with), -1
 * when memory runs out or the set is full (the set is then unchanged). */
int keyset_add(struct keyset *ks, const char *key, size_t len, long value,
	       long *value_out);

/* Is the LEN bytes at KEY in the set? 1, with *VALUE_OUT the value it
 * was added with, or 0. */
int keyset_find(const struct keyset *ks, const char *key, size_t len,
		long *value_out);

/* The number of keys in the set. */
size_t keyset_count(const struct keyset *ks);

/* Free the memory; the set is then empty and may be reused. Accepts NULL. */
void keyset_release(struct keyset *ks);

#endif
