/*
 * Backup and restore of a database as a whole, online: SQLite's backup
 * API copies one consistent snapshot while other connections (a running
 * server) go on writing. A copy is verified (integrity check and the
 * audit chain with its MACs) before it is given its name, and carries the
 * audit key and head files beside it (docs/audit.md).
 */
#ifndef CADRE_STORE_BACKUP_H
#define CADRE_STORE_BACKUP_H

#include <stdint.h>

#include "store/audit.h"
#include "store/store.h"

/* Told the pages copied so far out of TOTAL, after each step. */
typedef void (*backup_progress_fn)(void *arg, uint64_t done, uint64_t total);

struct backup_result {
	int64_t pages;
	struct audit_report audit;	/* of the copy, as verified */
};

/* Copy S's database to file DEST with DEST.key and DEST.head beside it;
 * DEST must not exist unless FORCE. Written under a temporary name and
 * renamed once verified: on failure nothing is left at DEST (E says
 * why; ERR_CONFLICT when DEST exists). A log no key has met yet is
 * sealed first (a write). */
int store_backup(struct store *s, const char *dest, int force,
		 backup_progress_fn fn, void *arg, struct backup_result *r,
		 struct error *e);

/* Replace the content of S's database by the backup SRC (with SRC.key
 * beside it), verified first on a copy beside the database, then written
 * in one transaction: readers see the old content or the new, never a
 * mix. The head file is set to the restored chain and the restore is
 * appended to it as an audit entry (action "restore", entity
 * "database"). FILE untouched. 0, or -1 with E set, the database as it
 * was. */
int store_restore(struct store *s, const char *src, backup_progress_fn fn,
		  void *arg, struct backup_result *r, struct error *e);

#endif
