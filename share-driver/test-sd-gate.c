/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: the generated nft scripts (the real gate is exercised in a network namespace by
 * the integration test). */
#undef NDEBUG
#include <string.h>

#include "sd-driver.h"
#include "sd-gate.h"

static void test_script_block(void)
{
  g_autofree char *s = sd_gate_script("198.18.0.100", TRUE);
  g_assert_true(g_str_has_prefix(s, "add table inet clusres\n"));
  g_assert_nonnull(strstr(s, "flush chain inet clusres input\n"));
  g_assert_nonnull(strstr(s, "add rule inet clusres input ip daddr @vips4 tcp dport "
                             "{ 111, 2049, 20048 } drop\n"));
  g_assert_true(g_str_has_suffix(s, "add element inet clusres vips4 { 198.18.0.100 }\n"));
  g_assert_null(strstr(s, "delete"));
}

static void test_script_allow(void)
{
  g_autofree char *s = sd_gate_script("2001:db8::1", FALSE);
  g_assert_true(g_str_has_suffix(s, "add element inet clusres vips6 { 2001:db8::1 }\n"
                                    "delete element inet clusres vips6 { 2001:db8::1 }\n"));
}

static void test_reject_invalid(void)
{
  g_autoptr(GError) error = NULL;
  /* validated before nft is ever run */
  g_assert_false(sd_gate_block("1.2.3.4 }\nflush ruleset", 1000, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_false(sd_gate_allow("", 1000, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sd-gate/script/block", test_script_block);
  g_test_add_func("/sd-gate/script/allow", test_script_allow);
  g_test_add_func("/sd-gate/reject-invalid", test_reject_invalid);
  return g_test_run();
}
