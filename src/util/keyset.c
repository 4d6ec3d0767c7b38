/* A hash set of byte strings with a number each; see keyset.h. */
#include "util/keyset.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 1024

int keyset_init(struct keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(ks->seed, sizeof(ks->seed));
	return 0;
}

/* 32 bits of the key's SipHash: enough to place it among the at most
 * 2^31 slots of a set of KEYSET_MAX keys. */
static uint32_t hash(const struct keyset *ks, const char *key, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];

	crypto_shorthash(h, (const unsigned char *)key, len, ks->seed);
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	       (uint32_t)h[3] << 24;
}

/* Place SLOT in SLOTS (NSLOTS a power of two). */
static void place(uint64_t *slots, size_t nslots, uint64_t slot)
{
	size_t mask = nslots - 1, at = (size_t)(slot >> 32) & mask;

	while (slots[at])
		at = (at + 1) & mask;
	slots[at] = slot;
}

/* Room for one more key of LEN bytes; the set's contents are unchanged
 * whether this succeeds or not. */
static int reserve(struct keyset *ks, size_t len)
{
	if (ks->nitems >= KEYSET_MAX || len > SIZE_MAX / 4 - ks->nbytes)
		return -1;
	if ((ks->nitems + 1) * 2 > ks->nslots) {
		size_t n = ks->nslots ? ks->nslots * 2 : MIN_SLOTS;
		uint64_t *slots = calloc(n, sizeof(*slots));

		if (!slots)
			return -1;
		for (size_t i = 0; i < ks->nslots; i++)
			if (ks->slots[i])
				place(slots, n, ks->slots[i]);
		free(ks->slots);
		ks->slots = slots;
		ks->nslots = n;
	}
	if (ks->nitems == ks->capitems) {
		size_t n = ks->capitems ? ks->capitems * 2 : MIN_SLOTS / 2;
		struct keyset_item *p = realloc(ks->items, n * sizeof(*p));

		if (!p)
			return -1;
		ks->items = p;
		ks->capitems = n;
	}
	if (len > ks->capbytes - ks->nbytes) {
		size_t n = ks->capbytes ? ks->capbytes : 4096;
		char *p;

		while (len > n - ks->nbytes)
			n *= 2;
		if (!(p = realloc(ks->bytes, n)))
			return -1;
		ks->bytes = p;
		ks->capbytes = n;
	}
	return 0;
}

/* The item of the LEN bytes at KEY, whose hash is H, or NULL. */
static const struct keyset_item *lookup(const struct keyset *ks, uint32_t h,
					const char *key, size_t len)
{
	if (ks->nslots) {
		size_t mask = ks->nslots - 1, at = h & mask;

		for (; ks->slots[at]; at = (at + 1) & mask) {
			const struct keyset_item *it;

			if ((uint32_t)(ks->slots[at] >> 32) != h)
				continue;
			it = &ks->items[(uint32_t)ks->slots[at] - 1];
			if (it->len == len &&
			    !memcmp(ks->bytes + it->off, key, len))
				return it;
		}
	}
	return NULL;
}

int keyset_find(const struct keyset *ks, const char *key, size_t len,
		long *value_out)
{
	const struct keyset_item *it = lookup(ks, hash(ks, key, len), key, len);

	if (it)
		*value_out = it->value;
	return it != NULL;
}

int keyset_add(struct keyset *ks, const char *key, size_t len, long value,
	       long *value_out)
{
	uint32_t h = hash(ks, key, len);
	const struct keyset_item *found = lookup(ks, h, key, len);
	struct keyset_item *it;

	if (found) {
		*value_out = found->value;
		return 0;
	}
	if (reserve(ks, len))
		return -1;
	it = &ks->items[ks->nitems];
	*it = (struct keyset_item){ .off = ks->nbytes, .len = len,
				    .value = value };
	if (len)
		memcpy(ks->bytes + ks->nbytes, key, len);
	ks->nbytes += len;
	ks->nitems++;
	place(ks->slots, ks->nslots, (uint64_t)h << 32 | ks->nitems);
	return 1;
}

size_t keyset_count(const struct keyset *ks)
{
	return ks->nitems;
}

void keyset_release(struct keyset *ks)
{
	if (!ks)
		return;
	free(ks->slots);
	free(ks->items);
	free(ks->bytes);
	ks->slots = NULL;
	ks->items = NULL;
	ks->bytes = NULL;
	ks->nslots = ks->nitems = ks->capitems = 0;
	ks->nbytes = ks->capbytes = 0;
}
