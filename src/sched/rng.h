/*
 * The engine's own pseudo-random generator: xoshiro256** seeded through
 * splitmix64 (Blackman and Vigna). Same seed, same sequence, on every
 * platform, so that a run is reproduced from its seed.
 */
#ifndef CADRE_SCHED_RNG_H
#define CADRE_SCHED_RNG_H

#include <stdint.h>

struct ctt_rng {
	uint64_t s[4];
};

static inline uint64_t ctt_rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void ctt_rng_seed(struct ctt_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = ctt_rng_splitmix(&seed);
}

static inline uint64_t ctt_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t ctt_rng_next(struct ctt_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = ctt_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ctt_rng_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, N) for 0 < N < 2^32 (multiply-shift; bias < 2^-32 N). */
static inline int ctt_rng_below(struct ctt_rng *r, int n)
{
	return (int)(((ctt_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static inline double ctt_rng_unit(struct ctt_rng *r)
{
	return (double)(ctt_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
