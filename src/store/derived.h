/*
 * The SQL of the catalogue's derived values (model/kind.h names them):
 * a nation's and a site's status, a post's holder, an activity's owner
 * and a session's state on the day. Internal to the store.
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

/* Append to SQL the state of the session of alias A on the day DAY (an
 * SQL expression: "?1", a column): what its stored status says when
 * that is "cancelled" or "postponed", which dates cannot tell; else
 * what its dates say, over [valid_from, valid_to): "planned" before it,
 * "running" within it, "completed" from valid_to on. Every count of
 * running, planned or completed sessions uses this one definition, so
 * a stored "running" that ended long ago is counted as what it is. */
void derived_session_state(struct buf *sql, const char *a, const char *day);

/* Append to SQL a condition true for the sessions of alias A that run
 * or ran or will run: neither cancelled nor postponed. */
void derived_session_scheduled(struct buf *sql, const char *a);

#endif
