// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_siphash - include/siphash.h against the 64 reference vectors of
 * SipHash-2-4 (the paper's vectors.h: key 00..0f, message 00..len-1), and
 * the word form (what the datapath runs) against the byte form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "siphash.h"

/* vectors_sip64 of the reference implementation, read as little-endian words. */
static const __u64 reference[64] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
    0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
    0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
    0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
    0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
    0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
    0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
    0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
    0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
    0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
    0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
    0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
    0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

/* Message 00 01 02 ..., in a buffer aligned for the word form. */
static union {
	unsigned char bytes[64];
	__u64 words[8];
} message;

static __u64 k0, k1;

static int setup(void **state)
{
	unsigned char key[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (int i = 0; i < 64; i++)
		message.bytes[i] = (unsigned char)i;
	siphash_key_from_bytes(key, &k0, &k1);
	return 0;
}

static void test_key_is_read_little_endian(void **state)
{
	(void)state;
	assert_true(k0 == 0x0706050403020100ULL);
	assert_true(k1 == 0x0f0e0d0c0b0a0908ULL);
}

static void test_reference_vectors(void **state)
{
	(void)state;
	for (size_t len = 0; len < 64; len++) {
		__u64 got = siphash_2_4(message.bytes, len, k0, k1);

		if (got != reference[len])
			fail_msg("length %zu: got %016llx, expected %016llx", len,
				 (unsigned long long)got, (unsigned long long)reference[len]);
	}
}

/* The datapath's form (fixed word count) equals the byte form at 8-byte lengths. */
#define CHECK_WORDS(n)                                                                             \
	assert_true(siphash_2_4_words(message.words, n, k0, k1) == reference[8 * (n)])
static void test_words_equal_bytes(void **state)
{
	(void)state;
	CHECK_WORDS(0);
	CHECK_WORDS(1);
	CHECK_WORDS(2);
	CHECK_WORDS(3);
	CHECK_WORDS(4);
	CHECK_WORDS(5);
	CHECK_WORDS(6);
	CHECK_WORDS(7);
}

/* A different key or one flipped bit of the message changes the tag. */
static void test_key_and_message_matter(void **state)
{
	unsigned char copy[32];
	__u64 base = siphash_2_4(message.bytes, 32, k0, k1);

	(void)state;
	assert_true(siphash_2_4(message.bytes, 32, k0 ^ 1, k1) != base);
	assert_true(siphash_2_4(message.bytes, 32, k0, k1 ^ (1ULL << 63)) != base);
	for (int bit = 0; bit < 32 * 8; bit++) {
		memcpy(copy, message.bytes, sizeof(copy));
		copy[bit / 8] ^= (unsigned char)(1 << (bit % 8));
		assert_true(siphash_2_4(copy, sizeof(copy), k0, k1) != base);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_is_read_little_endian),
	    cmocka_unit_test(test_reference_vectors),
	    cmocka_unit_test(test_words_equal_bytes),
	    cmocka_unit_test(test_key_and_message_matter),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
