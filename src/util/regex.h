/* SPDX-License-Identifier: GPL-2.0-or-later */
/* POSIX extended regular expressions from lab files, compiled only when tame. */
#ifndef NFLAB_REGEX_H
#define NFLAB_REGEX_H

#include <regex.h>
#include <stddef.h>

/*
 * The most copies of a subexpression a lab's regular expression may imply,
 * multiplied over its repetitions: glibc's regcomp() copies a subexpression
 * once per repetition ("a+" is "aa*", "a{3}" is "aaa"), so nested or stacked
 * ones cost memory exponential in the pattern's length ("x+++++..." of 50
 * characters took gigabytes).
 */
#define REGEX_COPIES_MAX 4096

/*
 * Compiles ERE text s into re with regcomp(REG_EXTENDED | flags). Refuses first,
 * with a message, a repetition of a repetition ("a++", "a*{2}": undefined in
 * POSIX) and a pattern implying more than REGEX_COPIES_MAX copies. Returns 0,
 * or -1 with what was wrong in err (re then holds nothing to free).
 */
int regex_compile(regex_t *re, const char *s, int flags, char *err, size_t errlen);

#endif
