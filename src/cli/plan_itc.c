/*
 * `cadre plan itc`: solve an ITC 2007 track 3 instance, or check a
 * solution of one, and report violations and cost in the competition's
 * terms.
 */
#include "cli/plan_itc.h"
#include "sched/ctt.h"
#include "sched/eval.h"
#include "sched/solve.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT_BYTES (64L << 20)

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *f)
{
	fputs("usage: cadre plan itc INSTANCE.ctt [--time SECONDS] "
	      "[--iterations N] [--seed N]\n"
	      "                       [-o OUT.sol] [--json]\n"
	      "       cadre plan itc INSTANCE.ctt --check SOLUTION.sol [--json]\n"
	      "\n"
	      "Solves a curriculum-based course timetabling instance (ITC 2007\n"
	      "track 3) or checks a solution of one, and prints the hard\n"
	      "violations and the cost with its four soft components.\n"
	      "\n"
	      "  -t, --time SECONDS   time limit from the start of the command,\n"
	      "                       reading included (default 84 unless\n"
	      "                       --iterations)\n"
	      "  -n, --iterations N   annealing budget; with a seed it fixes the\n"
	      "                       result (the time limit stays a cutoff)\n"
	      "  -s, --seed N         seed of the random generator (default 1)\n"
	      "  -o, --output FILE    write the solution there (default: stdout\n"
	      "                       unless --json)\n"
	      "  -c, --check FILE     evaluate FILE instead of solving\n"
	      "  -j, --json           print the report as one JSON object\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "SIGINT or the time limit ends the search; the best timetable so\n"
	      "far is written.\n", f);
}

/* Reads PATH into a NUL-terminated buffer the caller frees. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "cadre plan itc: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;
		if (cap - n < 4096) {
			char *nb;
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)MAX_INPUT_BYTES + 65536) {
				fprintf(stderr, "cadre plan itc: %s: larger than "
					"%ld bytes\n", path, MAX_INPUT_BYTES);
				goto fail;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "cadre plan itc: out of memory\n");
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "cadre plan itc: %s: read error\n", path);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s[0] || s[0] == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

struct report {
	const struct ctt *inst;
	const struct ctt_cost *cost;
	const struct ctt_solve_stats *stats;	/* NULL when checking */
	uint64_t seed;
};

static void print_report(FILE *f, const struct report *r, int json)
{
	const struct ctt_cost *k = r->cost;

	if (json) {
		fputs("{\"instance\":", f);
		json_string(f, r->inst->name);
		fprintf(f, ",\"violations\":%ld,\"lectures\":%ld,"
			"\"conflicts\":%ld,\"availability\":%ld,"
			"\"room_occupancy\":%ld,\"cost\":%ld,"
			"\"room_capacity\":%ld,\"min_working_days\":%ld,"
			"\"curriculum_compactness\":%ld,\"room_stability\":%ld",
			ctt_cost_violations(k), k->lectures, k->conflicts,
			k->availability, k->room_occupancy, ctt_cost_soft(k),
			k->room_capacity, k->min_working_days, k->compactness,
			k->room_stability);
		if (r->stats)
			fprintf(f, ",\"seed\":%" PRIu64 ",\"iterations\":%" PRIu64
				",\"seconds\":%.3f,\"stopped\":%s", r->seed,
				r->stats->iterations, r->stats->seconds,
				r->stats->stopped ? "true" : "false");
		fputs("}\n", f);
		return;
	}
	fprintf(f, "instance %s: %d courses, %d lectures, %d rooms, "
		"%d days x %d periods, %d curricula\n", r->inst->name,
		r->inst->ncourses, r->inst->nlectures, r->inst->nrooms,
		r->inst->ndays, r->inst->periods_per_day, r->inst->ncurricula);
	fprintf(f, "violations %ld (Lectures %ld, Conflicts %ld, "
		"Availability %ld, RoomOccupancy %ld)\n",
		ctt_cost_violations(k), k->lectures, k->conflicts,
		k->availability, k->room_occupancy);
	fprintf(f, "cost %ld (RoomCapacity %ld, MinWorkingDays %ld, "
		"CurriculumCompactness %ld, RoomStability %ld)\n",
		ctt_cost_soft(k), k->room_capacity, k->min_working_days,
		k->compactness, k->room_stability);
	if (r->stats)
		fprintf(f, "search: seed %" PRIu64 ", %" PRIu64
			" iterations in %.1f s%s\n", r->seed,
			r->stats->iterations, r->stats->seconds,
			r->stats->stopped ? " (stopped)" : "");
}

static void show_progress(void *ctx, const struct ctt_progress *p)
{
	double *last = ctx;

	if (p->seconds - *last < 0.25)
		return;
	*last = p->seconds;
	fprintf(stderr, "\r%5.1f%%  %6.1f s  T %7.3f  best: %ld violations, "
		"cost %ld   ", 100.0 * p->fraction, p->seconds, p->temperature,
		p->best_violations, p->best_cost);
}

int plan_itc_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "check", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctt inst = { 0 };
	struct ctt_solution sol = { 0 };
	struct ctt_solve_opts so;
	struct ctt_solve_stats stats = { 0 };
	struct ctt_cost cost;
	struct report rep = { 0 };
	char err[CTT_ERR_MAX];
	const char *out_path = NULL, *check_path = NULL;
	char *text = NULL;
	size_t len;
	int json = 0, opt, status = 1, have_time = 0;
	double progress_last = 0;
	FILE *out = NULL;

	ctt_solve_opts_init(&so);
	optind = 0;	/* glibc: re-initialise getopt after the caller used it */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:n:s:o:c:jh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_seconds(optarg, &so.time_limit)) {
				fprintf(stderr, "cadre plan itc: --time needs a "
					"positive number of seconds\n");
				return 2;
			}
			have_time = 1;
			break;
		case 'n':
			if (parse_u64(optarg, &so.iterations) || !so.iterations) {
				fprintf(stderr, "cadre plan itc: --iterations "
					"needs a positive integer\n");
				return 2;
			}
			break;
		case 's':
			if (parse_u64(optarg, &so.seed)) {
				fprintf(stderr, "cadre plan itc: --seed needs a "
					"non-negative integer\n");
				return 2;
			}
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'c':
			check_path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "cadre plan itc: option %s needs a "
				"value\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		default:
			fprintf(stderr, "cadre plan itc: unknown option %s\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "cadre plan itc: expected one INSTANCE.ctt\n");
		usage(stderr);
		return 2;
	}
	if (!have_time && !so.iterations)
		so.time_limit = 84;

	/* The budget is the user's from now: reading and the start count. */
	so.started = ctt_clock();
	text = read_file(argv[optind], &len);
	if (!text)
		goto out;
	if (ctt_parse(&inst, text, len, err)) {
		fprintf(stderr, "cadre plan itc: %s: %s\n", argv[optind], err);
		goto out;
	}
	free(text);
	text = NULL;

	if (check_path) {
		text = read_file(check_path, &len);
		if (!text)
			goto out;
		if (ctt_solution_parse(&inst, text, len, &sol, err)) {
			fprintf(stderr, "cadre plan itc: %s: %s\n", check_path,
				err);
			goto out;
		}
	} else {
		void (*old)(int) = signal(SIGINT, on_sigint);
		enum ctt_solve_result res;

		interrupted = 0;
		so.stop = &interrupted;
		if (isatty(STDERR_FILENO)) {
			so.progress = show_progress;
			so.progress_ctx = &progress_last;
		}
		res = ctt_solve(&inst, &so, &sol, &stats);
		signal(SIGINT, old);
		if (so.progress)
			fputs("\n", stderr);
		if (res == CTT_SOLVE_NO_ROOM) {
			fprintf(stderr, "cadre plan itc: %s: more lectures (%d) "
				"than room-periods (%d)\n", argv[optind],
				inst.nlectures, inst.nperiods * inst.nrooms);
			goto out;
		}
		if (res != CTT_SOLVE_OK) {
			fprintf(stderr, "cadre plan itc: out of memory\n");
			goto out;
		}
		rep.stats = &stats;
		rep.seed = so.seed;
	}
	if (ctt_evaluate(&inst, &sol, &cost)) {
		fprintf(stderr, "cadre plan itc: out of memory\n");
		goto out;
	}

	if (!check_path && (out_path || !json)) {
		out = out_path ? fopen(out_path, "w") : stdout;
		if (!out) {
			fprintf(stderr, "cadre plan itc: %s: %s\n", out_path,
				strerror(errno));
			goto out;
		}
		if (ctt_solution_write(&inst, &sol, out) ||
		    (out_path ? fclose(out) : fflush(out))) {
			fprintf(stderr, "cadre plan itc: %s: write error\n",
				out_path ? out_path : "stdout");
			out = NULL;
			goto out;
		}
		out = NULL;
	}
	rep.inst = &inst;
	rep.cost = &cost;
	/* The report goes to stdout unless the solution took it. */
	print_report(!check_path && !out_path && !json ? stderr : stdout,
		     &rep, json);
	status = 0;
out:
	free(text);
	ctt_solution_release(&sol);
	ctt_release(&inst);
	return status;
}
