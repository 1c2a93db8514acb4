/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rhs-logfmt: FormatMessage-style formatting for the LogEvent callback. */
#pragma once

#include <glib.h>
#include <stdarg.h>

#include <clusres/resapi.h>

/* Highest insert number FormatMessage accepts (%1 .. %99). */
#define RHS_LOGFMT_MAX_INSERTS 99

/*
 * Formats @format with FormatMessage insert syntax and returns at most
 * CLUSRES_LOG_EVENT_MAX bytes (cut on a UTF-8 boundary):
 *   %n!fmt!  insert n (1..99) formatted with the printf conversion fmt (flags, width,
 *            precision, '*' and the Windows size prefixes h, l (32 bit, as on Windows),
 *            ll, I64 (64 bit), I/z (pointer size)); conversions d i u o x X c s S p e f g E G
 *   %n       insert n as a string (same as %n!s!)
 *   %%  %!  %.  %<space>  literal characters;  %t tab;  %r CR;  %n (the letter) LF;
 *   %0  ends the message
 * The variable arguments are consumed in insert-number order (argument 1 is %1, whatever the
 * order of the inserts in the text), as Windows does; an insert number that the text skips is
 * taken as a pointer-sized argument.  '*' in a fmt consumes the next insert numbers, as on
 * Windows (%1!*s! takes the width from argument 2).  NULL strings print as "(null)".
 */
char *rhs_logfmt_format(const char *format, va_list ap);
char *rhs_logfmt_formatf(const char *format, ...);

/* The GLib log level for a LOG_LEVEL (INFORMATION -> INFO, WARNING -> WARNING, ERROR and
 * SEVERE -> CRITICAL: GLib's ERROR level aborts the process). */
GLogLevelFlags rhs_logfmt_glib_level(LOG_LEVEL level);
