/*
 * The SQL of the catalogue's derived values (model/kind.h names them):
 * a nation's and a site's status, a post's holder, an activity's owner
 * on the day. Internal to the store.
 *
 * A derived value that reads other records reads only those the caller
 * may see (store/access.h): a site is not "restricted" for a reader by
 * an event they may not know exists, and a post's holder names only the
 * persons, through the assignments, the reader may see. So the same
 * list, filter or sort asked by two readers may answer differently.
 */
#ifndef CADRE_STORE_DERIVED_H
#define CADRE_STORE_DERIVED_H

#include <stddef.h>

struct buf;
struct kind;
struct principal;

/* Append to SQL the expression of K's derived value I (an index into
 * k->derived) over the record's alias `t`, with ?1 the date it is
 * derived on, as WHO sees it (NULL: the system). 0, or -1 when the
 * store has no expression for it (a catalogue out of step with the
 * store: a bug, which a unit test guards against). */
int derived_expr(struct buf *sql, const struct kind *k, size_t i,
		 const struct principal *who);

#endif
