// SPDX-License-Identifier: GPL-2.0-or-later
/* The box's policy routing rules, from `ip -j rule` (and `ip -j -6 rule`). */
#include <arpa/inet.h>
#include <string.h>

#include "import/box.h"
#include "import/json_file.h"
#include "util/xalloc.h"

/*
 * The keys a lab rule can hold, and "protocol" (who added the rule, as ip -d
 * shows it); any other makes the rule one the lab cannot have.
 */
static const char *const known[] = {"priority", "src", "srclen", "dst",	  "dstlen",  "fwmark",
				    "fwmask",	"iif", "oif",	 "table", "protocol"};

static bool is_known(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i], key))
			return true;
	return false;
}

/* "10.0.2.0/24", "10.0.2.1" or NULL ("all") from the keys addr and addr+"len". */
static int prefix_of(const json_t *e, const char *key, const char *lenkey, int *family,
		     char **out)
{
	const char *s = json_str(e, key);
	const json_t *len = json_object_get(e, lenkey);
	struct ipaddr a;

	*out = NULL;
	if (!s || !strcmp(s, "all"))
		return 0;
	if (ipaddr_parse(s, &a, NULL) ||
	    (len && (!json_is_integer(len) || json_integer_value(len) < 0 ||
		     json_integer_value(len) > (a.family == AF_INET ? 32 : 128))) ||
	    (*family && *family != a.family))
		return -1;
	*family = a.family;
	*out = len ? xasprintf("%s/%lld", s, (long long)json_integer_value(len)) : xstrdup(s);
	return 0;
}

/* The three rules every kernel starts with. */
static bool kernel_default(const json_t *e)
{
	const char *src = json_str(e, "src"), *table = json_str(e, "table");
	json_int_t prio = json_integer_value(json_object_get(e, "priority"));

	if (json_object_size(e) != 3 + !!json_object_get(e, "protocol") || !src ||
	    strcmp(src, "all") || !table)
		return false;
	return (prio == 0 && !strcmp(table, "local")) ||
	       (prio == 32766 && !strcmp(table, "main")) ||
	       (prio == 32767 && !strcmp(table, "default"));
}

static int read_rule(void *arg, const json_t *e, size_t i, const char *path, struct diag *d)
{
	struct box *b = arg;
	const json_t *prio = json_object_get(e, "priority");
	const char *table = json_str(e, "table"), *key;
	struct box_rule r = {0};
	json_t *v;
	int64_t id;

	if (!json_is_object(e))
		return diag_set(d, "%s: entry %zu is not a JSON object (expected ip -j rule)", path,
				i + 1);
	if (!json_is_integer(prio) || json_integer_value(prio) < 0 ||
	    json_integer_value(prio) > 0xffffffffLL)
		return diag_set(d,
				"%s: entry %zu has no \"priority\" from 0 to 4294967295: expected "
				"the output of ip -j rule",
				path, i + 1);
	if (kernel_default(e))
		return 0;
	r.priority = (uint32_t)json_integer_value(prio);
	if (prefix_of(e, "src", "srclen", &r.family, &r.from) ||
	    prefix_of(e, "dst", "dstlen", &r.family, &r.to)) {
		free(r.from);
		return diag_set(d, "%s: rule %u: expected \"src\"/\"dst\": all or an address, with "
				   "\"srclen\"/\"dstlen\" of its family",
				path, r.priority);
	}
	if (json_str(e, "fwmark"))
		r.fwmark = json_str(e, "fwmask") ? xasprintf("%s/%s", json_str(e, "fwmark"),
							     json_str(e, "fwmask"))
						 : xstrdup(json_str(e, "fwmark"));
	if (json_str(e, "iif"))
		r.iif = xstrdup(json_str(e, "iif"));
	if (json_str(e, "oif"))
		r.oif = xstrdup(json_str(e, "oif"));
	json_object_foreach((json_t *)e, key, v)
	{
		if (!is_known(key) && !r.skip)
			r.skip = xasprintf("rule %u: \"%s\" (the lab's rules have no %s)", r.priority,
					   key, !strcmp(key, "action") ? "actions but table" : key);
	}
	if (!r.skip && !table)
		r.skip = xasprintf("rule %u: it selects no table", r.priority);
	if (!r.skip) {
		id = box_table_id(b, table);
		if (id < 0) {
			free(r.from);
			free(r.to);
			free(r.fwmark);
			free(r.iif);
			free(r.oif);
			return diag_set(d, "%s: rule %u: \"table\" is no table: \"%s\"", path,
					r.priority, table);
		}
		if (id == 0)
			r.skip = xasprintf("rule %u: it selects the local table", r.priority);
		r.table = (uint32_t)id;
	}
	XGROW(b->rules, b->n_rules, b->cap_rules);
	b->rules[b->n_rules++] = r;
	return 0;
}

int box_read_rule(struct box *b, const char *path, struct diag *d)
{
	return json_file_each(path, read_rule, b, d);
}
