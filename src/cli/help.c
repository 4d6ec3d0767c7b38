/* Help texts of the `cadre` commands. */
#include <string.h>

#include "cli/cli.h"
#include "core/report.h"
#include "model/kind.h"

/* What every read that takes --known-on says of it. */
#define KNOWN_ON_HELP \
"--known-on MOMENT reads the records as cadre held them then, rebuilt\n" \
"from the audit log (docs/audit.md): MOMENT is a UTC date-time,\n" \
"YYYY-MM-DDTHH:MM:SSZ, or a date (the end of that day); one to come is\n" \
"now. The caller (--as) is who they are now and sees what they may.\n"

static const struct help {
	const char *command;
	const char *text;
} helps[] = {
	{ NULL,
"usage: cadre [--db PATH] [--json] [--as LOGIN] COMMAND [ARGS]\n"
"\n"
"cadre runs a multinational train-and-advise mission: its people and\n"
"rotations, training, the host nation's consent and the host forces'\n"
"growing capacity. The database is --db, else $CADRE_DB, else ./cadre.db.\n"
"\n"
"commands:\n"
"  init                     create an empty mission database\n"
"  demo [--force]           load the demo mission (NATO Mission Iraq)\n"
"  generate --scale N       a large synthetic mission, for benchmarks\n"
"  import KIND FILE         import CSV, Excel or JSON, all or nothing\n"
"  export KIND              export records as CSV, JSON or Excel\n"
"  list KIND                list records, optionally as of a date\n"
"  show KIND ID             one record\n"
"  status                   where the mission stands on a date\n"
"  check                    every rule over the whole mission (its fsck)\n"
"  due [--days N]           what needs attention: what falls due, and when\n"
"  audit log|verify         read the audit log, verify its hash chain\n"
"  backup FILE [--force]    an online, verified copy of the database\n"
"  restore FILE             replace the database by a verified backup\n"
"  suspend                  suspend a scope: its sessions are postponed\n"
"  resume                   end a suspension and re-date what it postponed\n"
"  consent grant|suspend|withdraw ID   change the host nation's consent\n"
"  transfer ACTIVITY        pass an activity from the coalition to the mission\n"
"  report NAME              a report of the mission (REPORT below)\n"
"  serve [--listen H:P]     the HTTP JSON API (loopback unless told)\n"
"  user add|passwd|disable|list   the accounts of the people using cadre\n"
"  token add LOGIN          a token for scripts (shown once)\n"
"  token list|revoke        the tokens in force, and their end\n"
"  plan sessions            turn training plans into sessions, or re-plan\n"
"  plan itc INSTANCE.ctt    solve an ITC 2007 course timetabling instance\n"
"  help [COMMAND|KIND]      this text, a command's, or a kind's columns\n"
"\n"
"@KINDS@"
"Every command takes --help, and read commands take --json. --as LOGIN\n"
"runs the command as that account: every read (list, show, export,\n"
"status, reports, calendars, the map, the audit log) holds only what its\n"
"role, nation and clearance allow, and every write (import, the actions)\n"
"is refused unless its role may make it, and is audited under its login.\n"
"init, demo, generate, user, token, serve, backup and restore are the local\n"
"operator's and refuse --as.\n"
"Exit status: 0 done, 1 input refused (nothing changed), 2 usage error,\n"
"3 database or file failure, 4 audit log tampered with.\n" },
	{ "help",
"usage: cadre help [COMMAND|KIND]\n"
"\n"
"The overview, a command's usage, or the columns of a kind of record.\n" },
	{ "init",
"usage: cadre [--db PATH] init\n"
"\n"
"Create the database (or migrate an existing one to this version's schema).\n" },
	{ "demo",
"usage: cadre [--db PATH] demo [--force] [--accounts]\n"
"\n"
"Load the demo mission: NATO Mission Iraq from public facts, with synthetic\n"
"persons, sessions, trainees and results marked as such. The same data on\n"
"every run. Refuses a database that already holds records unless --force,\n"
"which deletes the database file first. --accounts adds one account per\n"
"role (demo.admin, demo.commander, …) with a fresh password, printed once.\n" },
	{ "generate",
"usage: cadre [--db PATH] generate [--scale N] [--force]\n"
"\n"
"A large synthetic mission for benchmarks: the demo's public facts, then\n"
"at scale 1 about 5,000 persons on tours, 100,000 sessions and 1,000,000\n"
"enrolments of 200,000 trainees over ten years, every record validated\n"
"and written through the rules, in one transaction.\n" },
	{ "import",
"usage: cadre [--db PATH] import KIND FILE [--dry-run] [--json]\n"
"              [--delimiter ','|';'|tab] [--sheet NAME] [--format csv|xlsx|json]\n"
"\n"
"Import records of KIND from FILE ('-' for standard input): CSV, an Excel\n"
"workbook (.xlsx: the first sheet, or --sheet NAME) or JSON as export\n"
"--format json writes; the format by the name, else the first byte.\n"
"Columns are found by header name (a sheet's first row); every row is\n"
"validated; the file is imported whole or not at all, and every problem\n"
"is listed as file:line:column (sheet, row and column; a JSON element),\n"
"field, value and reason. A CSV header with more ';' than ',' is read\n"
"with ';', as Excel writes it in many locales. Excel dates are read as\n"
"dates, numbers as people write them. Records already present (same\n"
"natural key) are updated, identical ones left alone, so importing a\n"
"file twice changes nothing. --dry-run validates without writing.\n" },
	{ "export",
"usage: cadre [--db PATH] export KIND [--format csv|json|xlsx] [-o FILE]\n"
"       cadre [--db PATH] export sites --format geojson [-o FILE]\n"
"       cadre [--db PATH] export calendar --person ID | --site CODE [-o FILE]\n"
"\n"
"Write every record of KIND, in the order they were created, as CSV\n"
"(RFC 4180), JSON or an Excel workbook (-o FILE.xlsx: one sheet, typed\n"
"cells). An export imported into an empty database exports\n"
"again identically. With -o the file is replaced only when complete.\n"
"Sites also as GeoJSON points (with their status today); a trainer's or a\n"
"site's sessions as an iCalendar file, each an all-day event with its\n"
"place and trainers.\n" },
	{ "list",
"usage: cadre [--db PATH] list KIND [--as-of DATE] [--known-on MOMENT]\n"
"                               [--where FIELD=VALUE]... [--limit N] [--json]\n"
"\n"
"List records. Without --as-of, every record ever held; with it, those in\n"
"force that day, and derived values (a nation's status, a site's status,\n"
"a post's holder, an activity's owner) as they were that day. DATE is\n"
"YYYY-MM-DD or 'today'. --where filters on a field or derived value.\n"
KNOWN_ON_HELP },
	{ "show",
"usage: cadre [--db PATH] show KIND ID [--as-of DATE] [--known-on MOMENT]\n"
"                               [--json]\n"
"\n"
"Show one record by its natural key (composite keys join their parts\n"
"with '/', e.g. a session is COURSE/START-DATE).\n"
KNOWN_ON_HELP },
	{ "status",
"usage: cadre [--db PATH] status [--as-of DATE] [--known-on MOMENT] [--json]\n"
"\n"
"The mission as it stood on DATE (default today): alliance members,\n"
"contributing partners, personnel assigned, whether training may run,\n"
"suspensions and consents in force, and the status of every site.\n"
"With --known-on: what cadre's records said at that moment, before any\n"
"correction made since (a board of inquiry's question: status --as-of\n"
"2020-01-03 --known-on 2020-01-03T23:59:59Z).\n"
KNOWN_ON_HELP },
	{ "check",
"usage: cadre [--db PATH] check [--as-of DATE | --from DATE --to DATE]\n"
"                             [--known-on MOMENT] [--json]\n"
"\n"
"Evaluate every rule of docs/rules.md over the whole mission, every day\n"
"from --from to the day before --to (--as-of: that day; default: the whole\n"
"span of the data), and list each violation with its rule, the records\n"
"involved and the days. Exit status 0 when there is none, 1 otherwise.\n"
"For the commander, the auditor and the administrator; a violation\n"
"naming a record the caller may not see is counted, not listed.\n"
KNOWN_ON_HELP },
	{ "due",
"usage: cadre [--db PATH] due [--days N] [--as-of DATE] [--known-on MOMENT]\n"
"                             [--json]\n"
"\n"
"What needs attention in the N days after --as-of (default 30 after\n"
"today), as the caller sees the mission: each item with the day it falls\n"
"due, its kind, a reason and the record (KIND/KEY). Trainers'\n"
"qualifications ending within the days or before their next session;\n"
"consents ending; and for the mission's staff, who see all its people,\n"
"rotations ending with no relief, sessions with fewer trainers than\n"
"their trainees need, posts vacant.\n"
"\n"
KNOWN_ON_HELP },
	{ "audit",
"usage: cadre [--db PATH] audit log [--entity KIND] [--key ID] [--actor WHO]\n"
"                                [--since DATE] [--until DATE] [--limit N]\n"
"       cadre [--db PATH] audit verify [--json]\n"
"\n"
"Every change is audited in the transaction that makes it: when, who,\n"
"what, before and after. Entries form a hash chain, and each carries a MAC\n"
"under the audit key in the file DB.key beside the database; after every\n"
"write the chain's end is also written to DB.head. verify recomputes\n"
"both and names the first entry that was edited, removed, inserted,\n"
"reordered or forged, or says that the end was cut off (exit status 4);\n"
"it says what it could not check (exit 3 when DB.key is missing).\n"
"See docs/audit.md.\n" },
	{ "backup",
"usage: cadre [--db PATH] backup FILE [--force] [--json]\n"
"\n"
"Copy the database to FILE while it is in use (a server may go on\n"
"writing): one consistent moment, with FILE.key and FILE.head beside it.\n"
"The copy is checked (SQLite's integrity check, the audit chain and its\n"
"MACs) before it takes the name FILE; a failed backup leaves nothing.\n"
"An existing FILE is refused (exit 1) unless --force. Progress is shown\n"
"on a terminal. Keep FILE.key as carefully as the database.\n" },
	{ "copy",
"usage: cadre copy FROM TO [--json]\n"
"\n"
"Copy a whole mission (records, accounts, the audit log) from the\n"
"database FROM into the new, empty database TO, with the same ids:\n"
"SQLite to PostgreSQL and back (a path or sqlite:PATH; a postgresql://\n"
"URL, whose database must exist). FROM is read as one snapshot and TO\n"
"written in one transaction; a table a line on stderr as it arrives.\n"
"On arrival each table is counted again and the audit chain verified\n"
"to end at the same entry and hash, with FROM's key and head file as\n"
"TO's. A TO that holds anything is refused (exit 1). See docs/deploy.md.\n" },
	{ "restore",
"usage: cadre [--db PATH] restore FILE [--json]\n"
"\n"
"Replace the whole content of the database by the backup FILE (made by\n"
"cadre backup, FILE.key beside it). FILE is checked first (integrity,\n"
"audit chain and MACs) and refused if it fails (exit 1, or 4 for a log\n"
"that does not verify); the database is then replaced in one transaction,\n"
"its audit key and head file become the backup's, and the restore is\n"
"appended to the audit log. Stop the server first (docs/cli.md).\n" },
	{ "suspend",
"usage: cadre suspend --scope mission|site:CODE|activity:CODE --from DATE\n"
"                     --reason TEXT [--ordered-by WHO] [--dry-run] [--json]\n"
"\n"
"Record a suspension (rule SUSPENDED). Sessions in scope that would run on\n"
"or after DATE are postponed, their enrolments kept; nothing new may start\n"
"in scope while it lasts. --dry-run prints the impact and writes nothing.\n" },
	{ "resume",
"usage: cadre resume --scope SCOPE --on DATE [--apply] [--dry-run] [--json]\n"
"\n"
"End the suspension of SCOPE in force on DATE and list the sessions it\n"
"postponed, each with new dates: shifted by the length of the suspension,\n"
"never before DATE. With --apply the re-dated sessions are created (each\n"
"names the session it replaces) with the same trainees; trainers a rule no\n"
"longer allows on the new dates are left off and listed.\n" },
	{ "consent",
"usage: cadre consent grant|suspend|withdraw ID --on DATE [--dry-run] [--json]\n"
"\n"
"suspend and withdraw end consent ID on DATE (rule CONSENT) and print the\n"
"impact: sessions it covered are postponed with their enrolments, mission\n"
"assignments under it end that day, its sites are suspended. Nothing is\n"
"deleted. grant restores a suspended consent from DATE (a new record\n"
"ID/DATE) and ends the suspensions its suspension made.\n" },
	{ "transfer",
"usage: cadre transfer ACTIVITY --to ORG --on DATE [--with-personnel]\n"
"                      [--dry-run] [--json]\n"
"\n"
"Pass ACTIVITY from its owner (the coalition) to ORG from DATE: as of the\n"
"day before the coalition owns it, from DATE the mission. Its sessions from\n"
"DATE and their enrolments go with it. --with-personnel moves the previous\n"
"owner's people on posts of the activity (its site, its kind of work) to\n"
"new posts of ORG. The report says what moved and how many people were\n"
"re-assigned, by nation.\n" },
	{ "report",
"usage: cadre report NAME … [--format table|json|csv|xlsx] [-o FILE]\n"
"       cadre report ceilings [--from DATE] [--to DATE] [--json]\n"
"       cadre report transition [--as-of DATE] [--json]\n"
"       cadre report manning [--as-of DATE] [--days N] [--json]\n"
"       cadre report contributions [--as-of DATE | --from D --to D] [--json]\n"
"       cadre report training-output --from DATE --to DATE [--json]\n"
"       cadre report capability [--as-of DATE] [--json]\n"
"       cadre report suspension-impact --event CODE [--json]\n"
"       cadre report transfer [--activity CODE] [--json]\n"
"\n"
"ceilings: the daily headcount of mission personnel under each consent in\n"
"force against its ceiling, handover overlaps counted (rule CEILING).\n"
"transition: each course's leadership state (mission-led, co-led,\n"
"host-led), whether and when it transitioned (host-led for its\n"
"transition_sessions consecutive completed sessions at or above its pass\n"
"target), and month by month the share of training days led by\n"
"host-nation instructors.\n"
"manning: posts filled and vacant by branch, site, category and nation,\n"
"handover overlaps, and the rotations due within --days (default 30) with\n"
"the gap or overlap to the next holder. contributions: people deployed by\n"
"nation, members and partners; with --from/--to, on the first of each\n"
"month. training-output: trainees of sessions completed in the period by\n"
"month, course, site and institution, passes,\n"
"certificates. capability: each institution's assessments per competency\n"
"against the target. suspension-impact: what a suspension postponed, the\n"
"trainee-days lost and when each session was re-run. transfer: what passed\n"
"from the coalition: activities, sessions, trainees, people by nation.\n"
"The reports that take --as-of (ceilings, transition, manning,\n"
"contributions, capability) take --known-on MOMENT too: the report on the\n"
"records as cadre held them then (see 'cadre help status'); the others\n"
"refuse it.\n"
"\n"
"--format csv writes the report's first table (RFC 4180); xlsx a workbook\n"
"(-o FILE.xlsx): a summary sheet, then a sheet per table with a frozen\n"
"header, typed cells and dates as dates.\n" },
	{ "serve",
"usage: cadre [--db PATH] serve [--listen 127.0.0.1:8080] [--threads N]\n"
"                              [--quiet] [--no-cache]\n"
"                              [--tls-cert PEM --tls-key PEM]\n"
"                              [--max-connections N] [--max-per-address N]\n"
"                              [--request-timeout SECONDS] [--readers N]\n"
"                              [--read-only]\n"
"\n"
"Serve the JSON API under /api/v1 until SIGTERM or SIGINT, then finish\n"
"the requests in flight and close the database. Callers log in with\n"
"POST /api/v1/auth/login (a session cookie and a csrf_token) or send\n"
"Authorization: Bearer TOKEN ('cadre token add'); each sees only what\n"
"their account may. /healthz and /metrics (Prometheus) answer without a\n"
"caller; /api/v1/openapi.json describes every route. Each request is\n"
"logged as a JSON line on standard error unless --quiet. A GET's answer\n"
"is kept for the same caller and URL for up to a second and dropped by any\n"
"change through the server (--no-cache: always from the database).\n"
"At most 512 connections at once (--max-connections), 64 from one address\n"
"(--max-per-address); a request must arrive whole within 10 s\n"
"(--request-timeout), or its connection is closed. GETs read through\n"
"--readers N connections of their own beside the one that writes (one a\n"
"thread, --threads; 0: every request through the writer, in turn).\n"
"--read-only serves a replica (a PostgreSQL hot standby, a copy): every\n"
"GET, and logging in and out; any change is refused with 405 and the web\n"
"interface says it is read-only. The database is opened to read, and must\n"
"be at this cadre's schema.\n" },
	{ "user",
"usage: cadre user add LOGIN --role ROLE [--nation ISO3] [--clearance LEVEL]\n"
"                          [--no-password]\n"
"       cadre user passwd LOGIN\n"
"       cadre user disable LOGIN\n"
"       cadre user list [--json]\n"
"\n"
"ROLE: admin commander manning training trainer contingent liaison\n"
"auditor; a contingent or liaison account names its nation. LEVEL: NU NR\n"
"NC NS CTS (default NU). The password is read from standard input (one\n"
"line; asked for without echo on a terminal), at least 12 characters,\n"
"and kept only as an Argon2id hash. Every change is audited, without the\n"
"hash.\n" },
	{ "token",
"usage: cadre token add LOGIN [--calendar] [--json]\n"
"       cadre token list [LOGIN] [--json]\n"
"       cadre token revoke LOGIN [ID] [--calendar] [--json]\n"
"\n"
"add makes a new token acting as LOGIN. It is printed once; cadre keeps\n"
"only its BLAKE2b hash. A token is sent as Authorization: Bearer TOKEN\n"
"and may do whatever LOGIN may. With --calendar it opens the calendar\n"
"feeds only, read, as LOGIN sees them, and may also be given in the URL\n"
"(/api/v1/calendar/site/CODE.ics?token=TOKEN), as a calendar application\n"
"that subscribes to a feed needs: it opens nothing else.\n"
"\n"
"list shows the tokens by ID, the first 12 characters of their hash (as\n"
"the audit log names them), never the tokens. revoke ends LOGIN's token\n"
"ID at once, or without ID every token of LOGIN's (with --calendar, its\n"
"calendar tokens). Each is audited.\n" },
	{ "plan",
"usage: cadre plan sessions --from DATE --to DATE [--site CODE] [--postponed]\n"
"                           [--dry-run | --apply] [--json]\n"
"       cadre plan itc INSTANCE.ctt [--time SECONDS] [--seed N] [-o OUT.sol]\n"
"\n"
"plan sessions turns the training plans whose window meets [--from, --to)\n"
"into sessions: a start day, a classroom and trainers each, as early as\n"
"the rules allow — consent and suspensions on every day, trainers on post\n"
"and qualified through the last day, caveats, no trainer, host unit or\n"
"classroom in two sessions at once, a classroom that holds the trainees.\n"
"It prefers the tightest classroom and the course's own trainer team. With\n"
"--postponed it re-plans the postponed sessions instead, with their\n"
"trainees, each new session naming the one it replaces. A session it\n"
"cannot place is listed with what is missing. --dry-run (the default)\n"
"prints the plan; --apply writes it through the rules, audited.\n"
"\n"
"plan itc solves a curriculum-based course timetabling instance (ITC 2007\n"
"track 3) and prints its hard violations and cost ('cadre plan itc --help').\n" },
};

static const char *type_name(const struct field *f)
{
	switch (f->type) {
	case FT_TEXT: return "text";
	case FT_INT: return "integer";
	case FT_REAL: return "number";
	case FT_DATE: return "date";
	case FT_BOOL: return "yes/no";
	case FT_ISO3: return "ISO 3166 alpha-3";
	case FT_ENUM: return "one of";
	case FT_REF: return "reference";
	case FT_LIST: return "list";
	case FT_QUALS: return "qualifications";
	case FT_SCOPE: return "scope";
	case FT_MARKING: return "classification";
	case FT_RELEASE: return "releasability";
	case FT_ROOMS: return "rooms NAME:CAPACITY;…";
	}
	return "?";
}

/* The columns of a kind, as its CSV and JSON carry them. */
static void kind_help(const struct kind *k, FILE *out)
{
	fprintf(out, "%s: CSV and JSON columns (key: %s)\n\n", k->name,
		kind_composite_key(k) ? "the key fields joined by '/'" :
		k->key_column);
	for (size_t i = 0; i < k->nfields; i++) {
		const struct field *f = &k->fields[i];

		fprintf(out, "  %-24s %s%s%s", f->name,
			f->flags & FF_KEY ? "key, " :
			f->flags & FF_REQUIRED ? "required, " : "", type_name(f),
			f->type == FT_LIST && f->ref ? " of references" : "");
		if (f->ref)
			fprintf(out, " to %s", f->ref);
		if (f->values)
			fprintf(out, " %s", f->values);
		if (f->type == FT_QUALS)
			fprintf(out, " CODE[:EXPIRY];…");
		if (f->type == FT_SCOPE)
			fprintf(out, " mission|site:CODE|activity:CODE");
		if (f->def)
			fprintf(out, " (default %s)", f->def);
		fputc('\n', out);
	}
	for (size_t i = 0; i < k->nderived; i++)
		fprintf(out, "  %-24s derived as of the date asked\n",
			k->derived[i].name);
}

/* WORDS after LABEL, wrapped under it at 76 columns. */
static void wrapped(FILE *out, const char *label, const char *const *words,
		    size_t n)
{
	size_t col = strlen(label);

	fputs(label, out);
	for (size_t i = 0; i < n; i++) {
		if (col + 1 + strlen(words[i]) > 76) {
			fprintf(out, "\n%*s", (int)strlen(label), "");
			col = strlen(label);
		}
		fprintf(out, " %s", words[i]);
		col += 1 + strlen(words[i]);
	}
	fputc('\n', out);
}

/* The overview: its kinds and reports from their catalogues, so that a
 * kind or a report added is listed without a second list to keep. */
static void overview(const char *text, FILE *out)
{
	const char *at = strstr(text, "@KINDS@");
	const char *names[KINDS_MAX];

	fwrite(text, 1, (size_t)(at - text), out);
	for (size_t i = 0; i < nkinds; i++)
		names[i] = kinds[i]->name;
	wrapped(out, "KIND:", names, nkinds);
	fputs("\nREPORT (cadre help report):\n", out);
	for (size_t i = 0; i < nreports; i++)
		fprintf(out, "  %-22s %s\n", reports[i].name, reports[i].summary);
	fputc('\n', out);
	fputs(at + strlen("@KINDS@"), out);
}

int cli_help(const char *command, FILE *out)
{
	const struct kind *k = command ? kind_find(command) : NULL;

	if (k && !strcmp(k->name, command)) {
		kind_help(k, out);
		return 0;
	}
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if ((!command && !helps[i].command) ||
		    (command && helps[i].command && !strcmp(command, helps[i].command))) {
			if (helps[i].command)
				fputs(helps[i].text, out);
			else
				overview(helps[i].text, out);
			return 0;
		}
	}
	return -1;
}
