/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-logfmt.h"

#include <string.h>

static void check(const char *expected, char *got)
{
  g_assert_cmpstr(got, ==, expected);
  g_free(got);
}

static void test_plain(void)
{
  check("hello world", rhs_logfmt_formatf("hello world"));
  check("", rhs_logfmt_formatf(""));
}

static void test_bare_string_insert(void)
{
  check("share /srv/a on node1", rhs_logfmt_formatf("share %1 on %2", "/srv/a", "node1"));
  check("(null)", rhs_logfmt_formatf("%1", (const char *)NULL));
}

static void test_printf_specs(void)
{
  check("42 -7 ff 0000002a 2A",
        rhs_logfmt_formatf("%1!u! %2!d! %3!x! %4!08x! %5!X!", 42u, -7, 255u, 42u, 42u));
  check("[  ab] [ab  ]", rhs_logfmt_formatf("[%1!4s!] [%2!-4s!]", "ab", "ab"));
  check("3.14", rhs_logfmt_formatf("%1!.2f!", 3.14159));
  check("c=Z", rhs_logfmt_formatf("c=%1!c!", 'Z'));
  check("17", rhs_logfmt_formatf("%1!o!", 15u));
  check("+5", rhs_logfmt_formatf("%1!+d!", 5));
}

static void test_order_by_insert_number(void)
{
  /* Argument n belongs to insert n, whatever order the text uses them in (Windows). */
  check("b=7 a=x", rhs_logfmt_formatf("b=%2!u! a=%1", "x", 7u));
  check("x x 7", rhs_logfmt_formatf("%1 %1 %2!u!", "x", 7u));
  check("3 2 1", rhs_logfmt_formatf("%3!d! %2!d! %1!d!", 1, 2, 3));
}

static void test_sizes(void)
{
  /* l is 32 bit, as on Windows; ll and I64 are 64 bit. */
  check("4294967295", rhs_logfmt_formatf("%1!lu!", (guint32)0xFFFFFFFFu));
  check("18446744073709551615 -1", rhs_logfmt_formatf("%1!llu! %2!I64d!", G_MAXUINT64, (gint64)-1));
  check("-1", rhs_logfmt_formatf("%1!hd!", 65535));
  check("123456789012", rhs_logfmt_formatf("%1!Iu!", (gsize)123456789012ull));
  check("5 -3", rhs_logfmt_formatf("%1!I32u! %2!ld!", 5u, -3));
}

static void test_star_width(void)
{
  /* '*' takes the width from the next insert number. */
  check("[   ab]", rhs_logfmt_formatf("[%1!*s!]", "ab", 5));
  check("[  abc]", rhs_logfmt_formatf("[%1!*.*s!]", "abcdef", 5, 3));
}

static void test_escapes(void)
{
  check("100% done!", rhs_logfmt_formatf("100%% done%!"));
  check("a\tb\nc\rd", rhs_logfmt_formatf("a%tb%nc%rd"));
  check("a. b", rhs_logfmt_formatf("a%.% b"));
  check("cut", rhs_logfmt_formatf("cut%0 here"));
  check("end %", rhs_logfmt_formatf("end %"));
  check("%q", rhs_logfmt_formatf("%q"));
}

static void test_malformed(void)
{
  /* Unterminated or invalid specs are shown literally; the argument is still consumed. */
  check("x %1!u", rhs_logfmt_formatf("x %1!u", 5u));
  check("%1!k! 9", rhs_logfmt_formatf("%1!k! %2!u!", 0u, 9u));
}

static void test_gap(void)
{
  /* %2 unused by the text: its argument is skipped as pointer-sized. */
  check("a c", rhs_logfmt_formatf("%1 %3", "a", "b", "c"));
}

static void test_two_digit_insert(void)
{
  check("k 12", rhs_logfmt_formatf("%11 %12!u!", "", "", "", "", "", "", "", "", "", "", "k", 12u));
  /* %123 is insert 12 followed by "3". */
  check("x3", rhs_logfmt_formatf("%123", "", "", "", "", "", "", "", "", "", "", "", "x"));
}

static void test_cap(void)
{
  g_autofree char *big = g_strnfill(600, 'a');
  g_autofree char *s = rhs_logfmt_formatf("%1", big);
  g_assert_cmpuint(strlen(s), ==, CLUSRES_LOG_EVENT_MAX);

  /* 499 ASCII bytes then a 2-byte character: the character must not be split. */
  g_autofree char *pre = g_strnfill(499, 'b');
  g_autofree char *t = rhs_logfmt_formatf("%1\xc3\xa9tail", pre);
  g_assert_cmpuint(strlen(t), ==, 499);
  g_assert_true(g_utf8_validate(t, -1, NULL));

  g_autofree char *pre2 = g_strnfill(498, 'b');
  g_autofree char *u = rhs_logfmt_formatf("%1\xc3\xa9tail", pre2);
  g_assert_cmpuint(strlen(u), ==, 500);
  g_assert_true(g_str_has_suffix(u, "\xc3\xa9"));
}

static void test_levels(void)
{
  g_assert_cmpint(rhs_logfmt_glib_level(LOG_INFORMATION), ==, G_LOG_LEVEL_INFO);
  g_assert_cmpint(rhs_logfmt_glib_level(LOG_WARNING), ==, G_LOG_LEVEL_WARNING);
  g_assert_cmpint(rhs_logfmt_glib_level(LOG_ERROR), ==, G_LOG_LEVEL_CRITICAL);
  g_assert_cmpint(rhs_logfmt_glib_level(LOG_SEVERE), ==, G_LOG_LEVEL_CRITICAL);
  g_assert_cmpint(rhs_logfmt_glib_level((LOG_LEVEL)17), ==, G_LOG_LEVEL_MESSAGE);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/logfmt/plain", test_plain);
  g_test_add_func("/logfmt/bare-string", test_bare_string_insert);
  g_test_add_func("/logfmt/printf-specs", test_printf_specs);
  g_test_add_func("/logfmt/insert-order", test_order_by_insert_number);
  g_test_add_func("/logfmt/sizes", test_sizes);
  g_test_add_func("/logfmt/star-width", test_star_width);
  g_test_add_func("/logfmt/escapes", test_escapes);
  g_test_add_func("/logfmt/malformed", test_malformed);
  g_test_add_func("/logfmt/gap", test_gap);
  g_test_add_func("/logfmt/two-digit", test_two_digit_insert);
  g_test_add_func("/logfmt/cap", test_cap);
  g_test_add_func("/logfmt/levels", test_levels);
  return g_test_run();
}
